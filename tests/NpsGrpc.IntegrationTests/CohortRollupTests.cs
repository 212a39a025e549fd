using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Storage.Queries;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

/// <summary>
/// A cohort on rollup keys is counted from the rollups, with the same result as from the raw rows. One server reads
/// the rollups and one only raw rows, on one database.
/// </summary>
public sealed class CohortRollupTests : IAsyncLifetime
{
    private static readonly string[] Channels = ["web", "email", "app"];

    private TestDatabase _database = null!;
    private RunningServer _rollups = null!;
    private RunningServer _raw = null!;
    private string _surveyId = "";

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("nps_cohort_rollup");
        _rollups = await RunningServer.StartAsync(_database.ConnectionString, Settings(useRollups: true));
        _raw = await RunningServer.StartAsync(_database.ConnectionString, Settings(useRollups: false));
        _surveyId = await _rollups.CreateSurveyAsync("cohort-rollup");

        var random = new Random(20261205);
        var responses = Enumerable.Range(0, 1000).Select(i =>
        {
            var response = Make($"r{i}", random.Next(0, 11));
            response.RespondedAt = Timestamp.FromDateTime(BaseTime.AddMinutes(random.Next(0, 60 * 24 * 40)));
            response.Attributes["channel"] = Channels[random.Next(Channels.Length)];
            return response;
        });
        await StreamAsync(_rollups.Ingest, Batch(_surveyId, "b", responses));
        await _rollups.Cohorts.CreateCohortAsync(new CreateCohortRequest
        {
            Cohort = new Cohort
            {
                Name = "digital",
                Conditions =
                {
                    new AttributeCondition
                    {
                        Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.In, Values = { "app", "email" },
                    },
                },
            },
        });
    }

    public async Task DisposeAsync()
    {
        await _rollups.DisposeAsync();
        await _raw.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static Dictionary<string, string?> Settings(bool useRollups) => new()
    {
        ["Rollups:AttributeKeys:0"] = "channel",
        ["Rollups:UseForQueries"] = useRollups ? "true" : "false",
    };

    [Fact]
    public async Task ResponseCohort_OnRollupKey_UsesRollups()
    {
        var resolver = _rollups.Services.GetRequiredService<CohortResolver>();
        var counter = _rollups.Services.GetRequiredService<ResponseCounter>();

        var resolved = await resolver.ResolveAsync(new RepeatedField<string> { "digital" }, "cohort_filters", CancellationToken.None);
        var cohort = Assert.Single(resolved);

        Assert.True(counter.UsesRollups(new CountQuery([_surveyId], null, null, cohort.Filters, [], null, false)));
    }

    [Fact]
    public async Task GetNps_CohortGroupsFromRollups()
    {
        var request = new GetNpsRequest
        {
            SurveyId = _surveyId,
            StartTime = Timestamp.FromDateTime(BaseTime.AddHours(7.5)),
            GroupBy = { new AttributeRef { Key = "channel", Scope = AttributeScope.Response } },
            GroupByCohorts = { "digital" },
        };

        var fromRollups = await _rollups.Query.GetNpsAsync(request);
        var fromRaw = await _raw.Query.GetNpsAsync(request);

        Assert.Equal(fromRaw, fromRollups);
        Assert.Equal(["app", "email"], fromRollups.Groups.Select(g => g.Keys[0].Value));
    }

    [Fact]
    public async Task GetNpsTrend_CohortFilterFromRollups()
    {
        var request = new GetNpsTrendRequest
        {
            SurveyId = _surveyId,
            StartTime = Timestamp.FromDateTime(BaseTime),
            EndTime = Timestamp.FromDateTime(BaseTime.AddDays(40)),
            BucketWidth = BucketWidth.IsoWeek,
            TimeZone = "Asia/Kolkata",
            CohortFilters = { "digital" },
        };

        var fromRollups = await _rollups.Query.GetNpsTrendAsync(request);
        var fromRaw = await _raw.Query.GetNpsTrendAsync(request);

        Assert.Equal(fromRaw, fromRollups);
    }
}

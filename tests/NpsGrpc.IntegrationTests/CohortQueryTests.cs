using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.CohortTestData;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

/// <summary>GetNps, GetNpsTrend and CompareNps filtered and grouped by named cohorts, checked against the raw rows.</summary>
[Collection(ServerCollection.Name)]
public sealed class CohortQueryTests(ServerFixture fixture)
{
    private static readonly DateTime February = new(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime March = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private RunningServer Server => fixture.Server;

    /// <summary>Creates the cohorts paying (plan pro or team), eu (region tag eu) and app (response channel app).</summary>
    private async Task<(string Paying, string Eu, string App)> CreateCohortsAsync()
    {
        string suffix = $"{Guid.NewGuid():N}"[..12];
        (string paying, string eu, string app) = ($"paying-{suffix}", $"eu-{suffix}", $"app-{suffix}");
        await CreateAsync(paying, new AttributeCondition
        {
            Key = "plan", Scope = AttributeScope.Customer, Operator = ConditionOperator.In, Values = { "pro", "team" },
        });
        await CreateAsync(eu, new AttributeCondition
        {
            Key = "region", Scope = AttributeScope.Customer, Operator = ConditionOperator.Equals, Values = { "eu" },
        });
        await CreateAsync(app, new AttributeCondition
        {
            Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Equals, Values = { "app" },
        });
        return (paying, eu, app);
    }

    private Task CreateAsync(string name, AttributeCondition condition) =>
        Server.Cohorts.CreateCohortAsync(new CreateCohortRequest { Cohort = new Cohort { Name = name, Conditions = { condition } } })
            .ResponseAsync;

    [Fact]
    public async Task GetNps_CohortFilters_AndedWithFilters()
    {
        var data = await CohortTestData.CreateAsync(Server, seed: 1);
        var (paying, eu, _) = await CreateCohortsAsync();

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = data.SurveyId,
            Filters =
            {
                new AttributeCondition
                {
                    Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Equals, Values = { "web" },
                },
            },
            CohortFilters = { paying, eu },
        });

        var expected = data.Responses.Where(r =>
            r.Channel == "web" && data.CustomerHas(r, "plan", "pro", "team") && data.CustomerHas(r, "region", "eu"));
        Assert.True(Count(expected).N > 0);
        AssertMatches(expected, response.Overall);
    }

    [Fact]
    public async Task GetNps_GroupByCohorts_OneGroupEach()
    {
        var data = await CohortTestData.CreateAsync(Server, seed: 2);
        var (paying, eu, app) = await CreateCohortsAsync();

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = data.SurveyId,
            GroupByCohorts = { eu, paying, app },
        });

        AssertMatches(data.Responses, response.Overall);
        Assert.Equal([eu, paying, app], response.Groups.Select(g => g.Cohort));
        Assert.All(response.Groups, g => Assert.Empty(g.Keys));
        AssertMatches(data.Responses.Where(r => data.CustomerHas(r, "region", "eu")), response.Groups[0].Statistics);
        AssertMatches(data.Responses.Where(r => data.CustomerHas(r, "plan", "pro", "team")), response.Groups[1].Statistics);
        AssertMatches(data.Responses.Where(r => r.Channel == "app"), response.Groups[2].Statistics);
        Assert.Equal(3, response.TotalGroupCount);
    }

    [Fact]
    public async Task GetNps_CohortsTimesAttribute()
    {
        var data = await CohortTestData.CreateAsync(Server, seed: 3);
        var (paying, eu, _) = await CreateCohortsAsync();

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = data.SurveyId,
            StartTime = Timestamp.FromDateTime(February),
            GroupBy = { new AttributeRef { Key = "channel", Scope = AttributeScope.Response } },
            GroupByCohorts = { paying, eu },
        });

        var inRange = data.Responses.Where(r => r.RespondedAt >= February).ToList();
        var expectedGroups = new[] { (paying, "app"), (paying, "web"), (eu, "app"), (eu, "web") };
        Assert.Equal(expectedGroups, response.Groups.Select(g => (g.Cohort, Assert.Single(g.Keys).Value)));
        foreach (var group in response.Groups)
        {
            var members = group.Cohort == paying
                ? inRange.Where(r => data.CustomerHas(r, "plan", "pro", "team"))
                : inRange.Where(r => data.CustomerHas(r, "region", "eu"));
            AssertMatches(members.Where(r => r.Channel == group.Keys[0].Value), group.Statistics);
        }
    }

    [Fact]
    public async Task GetNpsTrend_CohortSeries_MatchRawRows()
    {
        var data = await CohortTestData.CreateAsync(Server, seed: 4);
        var (paying, eu, app) = await CreateCohortsAsync();

        var response = await Server.Query.GetNpsTrendAsync(new GetNpsTrendRequest
        {
            SurveyId = data.SurveyId,
            StartTime = Timestamp.FromDateTime(Start),
            EndTime = Timestamp.FromDateTime(Start.AddMonths(3)),
            BucketWidth = BucketWidth.Month,
            CohortFilters = { app },
            SegmentByCohorts = { paying, eu },
        });

        var app_ = data.Responses.Where(r => r.Channel == "app").ToList();
        Assert.Equal(["", paying, eu], response.Series.Select(s => s.Cohort));
        var members = new[]
        {
            app_,
            app_.Where(r => data.CustomerHas(r, "plan", "pro", "team")).ToList(),
            app_.Where(r => data.CustomerHas(r, "region", "eu")).ToList(),
        };
        for (int s = 0; s < 3; s++)
        {
            Assert.Equal(3, response.Series[s].Points.Count);
            for (int m = 0; m < 3; m++)
            {
                var month = Start.AddMonths(m);
                var inMonth = members[s].Where(r => r.RespondedAt >= month && r.RespondedAt < month.AddMonths(1));
                AssertMatches(inMonth, response.Series[s].Points[m].Statistics);
            }
        }
    }

    [Fact]
    public async Task GetNpsTrend_CohortSegmentSeries()
    {
        var data = await CohortTestData.CreateAsync(Server, seed: 5);
        var (paying, _, _) = await CreateCohortsAsync();

        var response = await Server.Query.GetNpsTrendAsync(new GetNpsTrendRequest
        {
            SurveyId = data.SurveyId,
            StartTime = Timestamp.FromDateTime(Start),
            EndTime = Timestamp.FromDateTime(Start.AddMonths(3)),
            BucketWidth = BucketWidth.Quarter,
            SegmentBy = new AttributeRef { Key = "channel", Scope = AttributeScope.Response },
            SegmentByCohorts = { paying },
        });

        var labels = response.Series.Select(s => (s.Cohort, s.Keys.Count == 0 ? "" : s.Keys[0].Value)).ToList();
        Assert.Equal([("", ""), ("", "app"), ("", "web"), (paying, ""), (paying, "app"), (paying, "web")], labels);
        var payingWeb = data.Responses.Where(r => r.Channel == "web" && data.CustomerHas(r, "plan", "pro", "team"));
        AssertMatches(payingWeb, Assert.Single(response.Series[5].Points).Statistics);
    }

    [Fact]
    public async Task CompareNps_Cohorts_MatchRawRows()
    {
        var data = await CohortTestData.CreateAsync(Server, seed: 6);
        var (paying, eu, app) = await CreateCohortsAsync();

        var response = await Server.Query.CompareNpsAsync(new CompareNpsRequest
        {
            SurveyId = data.SurveyId,
            Current = new TimeRange { StartTime = Timestamp.FromDateTime(March), EndTime = Timestamp.FromDateTime(March.AddMonths(1)) },
            Baseline = new TimeRange { StartTime = Timestamp.FromDateTime(February), EndTime = Timestamp.FromDateTime(March) },
            CohortFilters = { paying },
            CompareCohorts = { eu, app },
        });

        bool IsPaying(RawResponse r) => data.CustomerHas(r, "plan", "pro", "team");
        var current = data.Responses.Where(r => r.RespondedAt >= March && IsPaying(r)).ToList();
        var baseline = data.Responses.Where(r => r.RespondedAt >= February && r.RespondedAt < March && IsPaying(r)).ToList();
        AssertMatches(current, response.Current);
        AssertMatches(baseline, response.Baseline);
        Assert.Equal([eu, app], response.Cohorts.Select(c => c.Cohort));
        AssertMatches(current.Where(r => data.CustomerHas(r, "region", "eu")), response.Cohorts[0].Current);
        AssertMatches(baseline.Where(r => data.CustomerHas(r, "region", "eu")), response.Cohorts[0].Baseline);
        AssertMatches(current.Where(r => r.Channel == "app"), response.Cohorts[1].Current);
        AssertMatches(baseline.Where(r => r.Channel == "app"), response.Cohorts[1].Baseline);
        var change = response.Cohorts[0].Change;
        Assert.Equal(response.Cohorts[0].Current.Nps - response.Cohorts[0].Baseline.Nps, change.Difference, 9);
    }

    [Fact]
    public async Task Queries_UnknownCohort_NotFoundNamingField()
    {
        string surveyId = await Server.CreateSurveyAsync();
        string missing = $"missing-{Guid.NewGuid():N}";
        var range = new TimeRange { StartTime = Timestamp.FromDateTime(February), EndTime = Timestamp.FromDateTime(March) };

        var calls = new (string Field, Func<Task> Call)[]
        {
            ("cohort_filters[0]", () => Server.Query.GetNpsAsync(
                new GetNpsRequest { SurveyId = surveyId, CohortFilters = { missing } }).ResponseAsync),
            ("group_by_cohorts[0]", () => Server.Query.GetNpsAsync(
                new GetNpsRequest { SurveyId = surveyId, GroupByCohorts = { missing } }).ResponseAsync),
            ("segment_by_cohorts[0]", () => Server.Query.GetNpsTrendAsync(new GetNpsTrendRequest
            {
                SurveyId = surveyId,
                StartTime = range.StartTime,
                EndTime = range.EndTime,
                BucketWidth = BucketWidth.Day,
                SegmentByCohorts = { missing },
            }).ResponseAsync),
            ("compare_cohorts[0]", () => Server.Query.CompareNpsAsync(new CompareNpsRequest
            {
                SurveyId = surveyId, Current = range, Baseline = range, CompareCohorts = { missing },
            }).ResponseAsync),
        };

        foreach (var (field, call) in calls)
        {
            var exception = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.NotFound, exception.StatusCode);
            Assert.StartsWith($"{field}: cohort '{missing}' does not exist", exception.Status.Detail);
        }
    }

    [Theory]
    [InlineData("Bad_Name", "cohort_filters[0]")]
    [InlineData("", "cohort_filters[0]")]
    [InlineData("dup", "cohort_filters[1]")]
    [InlineData("too-many", "cohort_filters")]
    public async Task GetNps_MalformedCohortNames_InvalidArgument(string name, string field)
    {
        string surveyId = await Server.CreateSurveyAsync();
        var request = new GetNpsRequest { SurveyId = surveyId };
        request.CohortFilters.AddRange(name switch
        {
            "dup" => ["dup", "dup"],
            "too-many" => Enumerable.Range(0, 21).Select(i => $"c{i}"),
            _ => [name],
        });

        var exception = await Assert.ThrowsAsync<RpcException>(() => Server.Query.GetNpsAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal(field, BadRequestOf(exception)!.FieldViolations.Single().Field);
    }
}

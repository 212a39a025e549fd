using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using NpsGrpc.Storage.Queries;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

/// <summary>
/// Runs the same queries through a server that reads the rollups and one that reads only raw rows, on one database
/// with randomized responses, and requires identical responses.
/// </summary>
public sealed class RollupEquivalenceTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 2, 20, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Channels = ["web", "email", "app"];
    private static readonly string[] Regions = ["emea", "amer", "apac", "latam"];

    private TestDatabase _database = null!;
    private RunningServer _rollups = null!;
    private RunningServer _raw = null!;
    private string _surveyId = "";

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("nps_rollup");
        _rollups = await RunningServer.StartAsync(_database.ConnectionString, Settings(useRollups: true));
        _raw = await RunningServer.StartAsync(_database.ConnectionString, Settings(useRollups: false));
        _surveyId = await _rollups.CreateSurveyAsync("rollup");

        var random = new Random(20261204);
        var responses = Enumerable.Range(0, 3000).Select(i => RandomResponse(random, i)).ToList();

        // Overlapping batches: the repeated ids are duplicates and must not be counted twice by the rollups.
        var batches = responses.Chunk(400).Select((chunk, i) => Batch(_surveyId, $"b{i}", chunk)).ToList();
        batches.Add(Batch(_surveyId, "again", responses.Take(700)));
        await StreamAsync(_rollups.Ingest, [.. batches]);
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
        ["Rollups:AttributeKeys:1"] = "region",
        ["Rollups:UseForQueries"] = useRollups ? "true" : "false",
    };

    private static SurveyResponse RandomResponse(Random random, int index)
    {
        // Seconds-level timestamps over 75 days, so ranges and buckets cut through hours and days.
        var response = Make($"r{index}", random.Next(0, 11));
        response.RespondedAt = Timestamp.FromDateTime(Start.AddSeconds(random.Next(0, 75 * 24 * 3600)));
        if (random.Next(10) > 0)
        {
            response.Attributes["channel"] = Channels[random.Next(Channels.Length)];
        }

        if (random.Next(10) > 1)
        {
            response.Attributes["region"] = Regions[random.Next(Regions.Length)];
        }

        response.Attributes["order_ref"] = $"o{random.Next(100000)}";
        if (random.Next(3) == 0)
        {
            response.Weight = Math.Round(0.25 + random.NextDouble() * 3, 2);
        }

        return response;
    }

    private static Timestamp At(string instant) => Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(instant));

    private static AttributeRef Response(string key) => new() { Key = key, Scope = AttributeScope.Response };

    private bool UsesRollups(CountQuery query) => _rollups.Services.GetRequiredService<ResponseCounter>().UsesRollups(query);

    [Fact]
    public async Task GetNps_RollupAndRaw_AnswerAlike()
    {
        var requests = new List<GetNpsRequest>
        {
            new() { SurveyId = _surveyId },
            new() { SurveyId = _surveyId, StartTime = At("2026-03-01T10:17:23Z"), EndTime = At("2026-04-02T03:45:00+05:30") },
            new() { SurveyId = _surveyId, GroupBy = { Response("region") } },
            new() { SurveyId = _surveyId, GroupBy = { Response("channel"), Response("region") }, StartTime = At("2026-03-05T00:30:00Z") },
            new()
            {
                SurveyId = _surveyId,
                GroupBy = { Response("channel") },
                Filters =
                {
                    new AttributeCondition { Key = "region", Scope = AttributeScope.Response, Operator = ConditionOperator.NotIn, Values = { "emea" } },
                    new AttributeCondition { Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Present },
                },
            },
        };

        foreach (var request in requests)
        {
            Assert.Equal(await _raw.Query.GetNpsAsync(request), await _rollups.Query.GetNpsAsync(request));
        }

        Assert.True(UsesRollups(new CountQuery([_surveyId], null, null, [], [new GroupingAttribute("region", AttributeSource.Response)], null, false)));
        Assert.False(UsesRollups(new CountQuery([_surveyId], null, null, [], [new GroupingAttribute("order_ref", AttributeSource.Response)], null, false)));
    }

    [Fact]
    public async Task GetNps_WeightedRollupAndRaw_AgreeWithinRounding()
    {
        var request = new GetNpsRequest { SurveyId = _surveyId, Weighted = true, GroupBy = { Response("region") } };

        var raw = await _raw.Query.GetNpsAsync(request);
        var rolled = await _rollups.Query.GetNpsAsync(request);

        Assert.Equal(raw.Overall.ResponseCount, rolled.Overall.ResponseCount);
        Assert.Equal(raw.Overall.Nps, rolled.Overall.Nps, 9);
        Assert.Equal(raw.Overall.EffectiveSampleSize, rolled.Overall.EffectiveSampleSize, 6);
        Assert.Equal(raw.Groups.Select(g => g.Statistics.ResponseCount), rolled.Groups.Select(g => g.Statistics.ResponseCount));
        for (int i = 0; i < raw.Groups.Count; i++)
        {
            Assert.Equal(raw.Groups[i].Statistics.Nps, rolled.Groups[i].Statistics.Nps, 9);
        }
    }

    [Theory]
    [InlineData(BucketWidth.Day, "Asia/Kolkata", 0)]
    [InlineData(BucketWidth.IsoWeek, "Europe/Berlin", 3)]
    [InlineData(BucketWidth.Month, "America/New_York", 0)]
    [InlineData(BucketWidth.Day, "Asia/Kathmandu", 7)]
    [InlineData(BucketWidth.Day, "Europe/Berlin", 0)]
    [InlineData(BucketWidth.Quarter, "Pacific/Kiritimati", 0)]
    public async Task GetNpsTrend_RollupAndRaw_AnswerAlike(BucketWidth width, string zone, int rollingWindow)
    {
        var request = new GetNpsTrendRequest
        {
            SurveyId = _surveyId,
            StartTime = At("2026-02-25T00:00:00Z"),
            EndTime = At("2026-05-01T00:00:00Z"),
            BucketWidth = width,
            TimeZone = zone,
            RollingWindow = rollingWindow,
            SegmentBy = Response("channel"),
        };

        var raw = await _raw.Query.GetNpsTrendAsync(request);
        var rolled = await _rollups.Query.GetNpsTrendAsync(request);

        Assert.Equal(raw, rolled);
        Assert.True(raw.Series[0].Points.Sum(p => p.Statistics.ResponseCount) > 0);
    }

    [Fact]
    public async Task CompareNps_RollupAndRaw_AnswerAlike()
    {
        var request = new CompareNpsRequest
        {
            SurveyId = _surveyId,
            Current = new TimeRange { StartTime = At("2026-04-01T00:00:00+02:00"), EndTime = At("2026-05-01T00:00:00+02:00") },
            Baseline = new TimeRange { StartTime = At("2026-03-01T00:00:00+01:00"), EndTime = At("2026-04-01T00:00:00+02:00") },
            DecomposeBy = Response("region"),
        };

        Assert.Equal(await _raw.Query.CompareNpsAsync(request), await _rollups.Query.CompareNpsAsync(request));
    }

    [Fact]
    public async Task GetNps_OtherInstanceChangedKeys_StaysCorrect()
    {
        var settings = Settings(useRollups: true);
        settings["Rollups:AttributeKeys:0"] = "order_ref";
        settings.Remove("Rollups:AttributeKeys:1");
        await using var other = await RunningServer.StartAsync(_database.ConnectionString, settings);
        var request = new GetNpsRequest { SurveyId = _surveyId, GroupBy = { Response("channel") } };

        var fromFirst = await _rollups.Query.GetNpsAsync(request);

        Assert.Equal(await _raw.Query.GetNpsAsync(request), fromFirst);
    }

    [Theory]
    [InlineData("2026-03-01T00:00:00Z", "2026-03-01T13:00:00Z")]
    [InlineData("2026-03-01T11:00:00Z", "2026-03-02T00:00:00Z")]
    public async Task GetNps_WeightedEmptyPartOfDay_HasNoNps(string from, string to)
    {
        // Two weighted promoters late on a day of their own survey: a range covering most of that day without them
        // is read as the day minus hours, and its weight sums must come out as exactly empty.
        string surveyId = await _rollups.CreateSurveyAsync("weights");
        var first = Make("w1", 10);
        first.RespondedAt = At("2026-03-01T13:30:00Z");
        first.Weight = 0.1;
        var second = Make("w2", 10);
        second.RespondedAt = At("2026-03-01T14:30:00Z");
        second.Weight = 0.2;
        if (from.EndsWith("T11:00:00Z", StringComparison.Ordinal))
        {
            first.RespondedAt = At("2026-03-01T02:30:00Z");
            second.RespondedAt = At("2026-03-01T03:30:00Z");
        }

        await StreamAsync(_rollups.Ingest, Batch(surveyId, "b", [first, second]));
        var request = new GetNpsRequest { SurveyId = surveyId, Weighted = true, StartTime = At(from), EndTime = At(to) };

        var response = await _rollups.Query.GetNpsAsync(request);

        Assert.Equal(0, response.Overall.ResponseCount);
        Assert.False(response.Overall.HasNps);
        Assert.Equal(await _raw.Query.GetNpsAsync(request), response);
    }

    [Fact]
    public async Task GetNps_HugeWeightOutsideRange_KeepsSmallWeights()
    {
        // A weight of 1,000,000 early in the day and two of 0.000001 later: reading the day minus the early hours
        // would wipe the small weights out in floating point, so weighted queries add hours only.
        string surveyId = await _rollups.CreateSurveyAsync("precision");
        var heavy = Make("heavy", 10);
        heavy.RespondedAt = At("2025-05-05T02:10:00Z");
        heavy.Weight = 1_000_000;
        var promoter = Make("light-promoter", 10);
        promoter.RespondedAt = At("2025-05-05T20:10:00Z");
        promoter.Weight = 0.000001;
        var detractor = Make("light-detractor", 0);
        detractor.RespondedAt = At("2025-05-05T20:20:00Z");
        detractor.Weight = 0.000001;
        await StreamAsync(_rollups.Ingest, Batch(surveyId, "b", [heavy, promoter, detractor]));
        var request = new GetNpsRequest
        {
            SurveyId = surveyId,
            Weighted = true,
            StartTime = At("2025-05-05T03:00:00Z"),
            EndTime = At("2025-05-06T00:00:00Z"),
        };

        var rolled = await _rollups.Query.GetNpsAsync(request);
        var raw = await _raw.Query.GetNpsAsync(request);

        Assert.Equal(0, rolled.Overall.Nps, 9);
        Assert.Equal(raw.Overall.StandardError, rolled.Overall.StandardError, 6);
        Assert.Equal(raw.Overall.EffectiveSampleSize, rolled.Overall.EffectiveSampleSize, 6);
    }

    [Theory]
    [InlineData(null, "1980-01-01T00:00:00Z")]
    [InlineData("3000-01-01T00:00:00Z", null)]
    public async Task GetNps_OpenRangeOutsideData_ReturnsEmpty(string? from, string? to)
    {
        var request = new GetNpsRequest { SurveyId = _surveyId, GroupBy = { Response("region") } };
        if (from is not null)
        {
            request.StartTime = At(from);
        }

        if (to is not null)
        {
            request.EndTime = At(to);
        }

        var response = await _rollups.Query.GetNpsAsync(request);

        Assert.Equal(0, response.Overall.ResponseCount);
        Assert.Empty(response.Groups);
    }

    [Fact]
    public async Task Rollups_KeysChanged_RebuiltToMatchRaw()
    {
        var settings = Settings(useRollups: true);
        settings["Rollups:AttributeKeys:0"] = "region";
        settings.Remove("Rollups:AttributeKeys:1");
        await using var rebuilt = await RunningServer.StartAsync(_database.ConnectionString, settings);
        var request = new GetNpsRequest { SurveyId = _surveyId, GroupBy = { Response("region") }, StartTime = At("2026-03-03T07:30:00Z") };

        var fromRebuilt = await rebuilt.Query.GetNpsAsync(request);

        Assert.Equal(await _raw.Query.GetNpsAsync(request), fromRebuilt);
        Assert.True(rebuilt.Services.GetRequiredService<ResponseCounter>().UsesRollups(
            new CountQuery([_surveyId], null, null, [], [new GroupingAttribute("region", AttributeSource.Response)], null, false)));
    }
}

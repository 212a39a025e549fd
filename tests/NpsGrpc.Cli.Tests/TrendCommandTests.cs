using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// 'nps trend' on small files written by the tests. Berlin switches to summer time in the night to Sunday
/// 2026-03-29, the last day of ISO week 2026-W13.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class TrendCommandTests(ServerFixture fixture)
{
    [Fact]
    public async Task Trend_WeeksInBerlin_SplitAtLocalMidnight()
    {
        string survey = await IngestDstFileAsync();

        var result = await RunTrendAsync(
            survey, "--from", "2026-03-23", "--to", "2026-04-06", "--bucket", "week", "--tz", "Europe/Berlin", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseJson<GetNpsTrendResponse>();
        Assert.Equal("Europe/Berlin", response.TimeZone);
        var points = Assert.Single(response.Series).Points;
        Assert.Equal(["2026-W13", "2026-W14"], points.Select(point => point.Label));
        Assert.Equal([2L, 1L], points.Select(point => point.Statistics.ResponseCount));
        Assert.Equal(new DateTime(2026, 3, 22, 23, 0, 0, DateTimeKind.Utc), points[0].StartTime.ToDateTime());
        Assert.Equal(new DateTime(2026, 3, 29, 22, 0, 0, DateTimeKind.Utc), points[1].StartTime.ToDateTime());
        Assert.Equal(0, points[0].Statistics.Nps, 9);
        Assert.Equal(-100, points[1].Statistics.Nps, 9);
        Assert.NotNull(points[1].ChangeFromPrevious);
        Assert.Equal(-100, points[1].ChangeFromPrevious.Difference, 9);
    }

    [Fact]
    public async Task Trend_UtcWeeks_KeepSundayInW13()
    {
        // 2026-03-30T00:30+02:00 is 2026-03-29T22:30Z, still Sunday of 2026-W13 in UTC.
        string survey = await IngestDstFileAsync();

        var result = await RunTrendAsync(survey, "--from", "2026-03-23", "--to", "2026-04-06", "--bucket", "week", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var points = Assert.Single(result.ParseJson<GetNpsTrendResponse>().Series).Points;
        Assert.Equal(["2026-W13", "2026-W14"], points.Select(point => point.Label));
        Assert.Equal([3L, 0L], points.Select(point => point.Statistics.ResponseCount));
        Assert.False(points[1].Statistics.HasNps);
    }

    [Fact]
    public async Task Trend_Table_ShowsEmptyBucketWithDash()
    {
        string survey = await IngestDstFileAsync();

        var result = await RunTrendAsync(survey, "--from", "2026-03-23", "--to", "2026-04-06", "--bucket", "week");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("all responses", result.Stdout);
        string empty = Assert.Single(result.Stdout.Split('\n'), line => line.Contains("2026-W14"));
        Assert.Matches(@"2026-W14\s+\S\s+0\s+\S\s+-\s", empty);
    }

    [Fact]
    public async Task Trend_SegmentAndRolling_AddsSeries()
    {
        string survey = await IngestDstFileAsync();

        var result = await RunTrendAsync(
            survey,
            "--from", "2026-03-23", "--to", "2026-04-06", "--bucket", "day", "--tz", "Europe/Berlin",
            "--by", "channel", "--rolling", "7", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var series = result.ParseJson<GetNpsTrendResponse>().Series;
        Assert.Equal(3, series.Count);
        Assert.Equal(["email", "web"], series.Skip(1).Select(s => s.Keys[0].Value));
        var overall = series[0].Points;
        Assert.Equal(14, overall.Count);
        Assert.Equal("2026-03-23", overall[0].Label);
        Assert.Equal("2026-03-29", overall[6].Label);
        Assert.Equal(1, overall[6].Statistics.ResponseCount);
        Assert.Equal(1, overall[7].Statistics.ResponseCount);
        Assert.Equal(1, overall[0].RollingStatistics.ResponseCount);
        Assert.Equal(2, overall[6].RollingStatistics.ResponseCount);
        Assert.Equal(2, overall[7].RollingStatistics.ResponseCount);
        Assert.Equal(2, overall[12].RollingStatistics.ResponseCount);
        Assert.Equal(1, overall[13].RollingStatistics.ResponseCount);
    }

    [Fact]
    public async Task Trend_Where_FiltersResponses()
    {
        string survey = await IngestDstFileAsync();

        var result = await RunTrendAsync(
            survey, "--from", "2026-03-23", "--to", "2026-04-06", "--bucket", "month", "--tz", "Europe/Berlin",
            "--where", "channel!=email", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var points = Assert.Single(result.ParseJson<GetNpsTrendResponse>().Series).Points;
        Assert.Equal(["2026-03", "2026-04"], points.Select(point => point.Label));
        Assert.Equal([2L, 0L], points.Select(point => point.Statistics.ResponseCount));
    }

    private Task<CliResult> RunTrendAsync(string survey, params string[] args) =>
        CliProcess.RunAsync(fixture.Server.Address, ["trend", "--survey", survey, .. args]);

    // A detractor and a promoter in 2026-W13, and a detractor that is in 2026-W14 in Berlin but in 2026-W13 in UTC.
    private async Task<string> IngestDstFileAsync()
    {
        string survey = await fixture.Server.CreateSurveyAsync("trend");
        string prefix = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv(
            "customer,score,when,channel\n" +
            $"{prefix}-1,0,2026-03-23T12:00:00+01:00,web\n" +
            $"{prefix}-2,9,2026-03-29T00:30:00+01:00,web\n" +
            $"{prefix}-3,0,2026-03-30T00:30:00+02:00,email\n");
        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", csv.Path, "--survey", survey, "--customer-id", "customer", "--score", "score",
            "--timestamp", "when", "--attribute", "channel=channel");
        Assert.True(result.ExitCode == 0, result.ToString());
        return survey;
    }
}

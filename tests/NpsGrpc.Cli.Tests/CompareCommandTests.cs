using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// 'nps compare' on a file whose figures are known by hand. Baseline (January 2026): web 10, 10 and email 0, 0, so
/// n 4, NPS 0, shares 50% and 50%, web NPS +100, email NPS -100. Current (February 2026): web 10, 10, 10, 0 and
/// email 0, so n 5, NPS +20, shares 80% and 20%, web NPS +50, email NPS -100. Change +20. Mix effects:
/// web (0.8 - 0.5) x 100 = +30, email (0.2 - 0.5) x -100 = +30, total +60. Within effects:
/// web 0.8 x (50 - 100) = -40, email 0.2 x (-100 - -100) = 0, total -40. Residual 20 - 60 + 40 = 0.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CompareCommandTests(ServerFixture fixture)
{
    private const string Current = "2026-02-01..2026-03-01";
    private const string Baseline = "2026-01-01..2026-02-01";

    [Fact]
    public async Task Compare_ByChannel_MatchesHandComputedFigures()
    {
        string survey = await IngestAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "compare", "--survey", survey, "--current", Current, "--baseline", Baseline, "--by", "channel", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseJson<CompareNpsResponse>();
        Assert.Equal(5, response.Current.ResponseCount);
        Assert.Equal(20, response.Current.Nps, 9);
        Assert.Equal(4, response.Baseline.ResponseCount);
        Assert.Equal(0, response.Baseline.Nps, 9);
        Assert.Equal(20, response.Change.Difference, 9);
        Assert.True(response.Change.StandardError > 0);
        Assert.InRange(response.Change.PValue, 0, 1);

        var decomposition = response.Decomposition;
        Assert.Equal(60, decomposition.MixEffect, 9);
        Assert.Equal(-40, decomposition.WithinEffect, 9);
        Assert.Equal(0, decomposition.Residual, 9);
        Assert.Equal(["email", "web"], decomposition.Segments.Select(segment => segment.Key.Value));

        var email = decomposition.Segments[0];
        Assert.Equal(0.5, email.BaselineShare, 9);
        Assert.Equal(0.2, email.CurrentShare, 9);
        Assert.Equal(-100, email.Baseline.Nps, 9);
        Assert.Equal(-100, email.Current.Nps, 9);
        Assert.Equal(30, email.MixEffect, 9);
        Assert.Equal(0, email.WithinEffect, 9);

        var web = decomposition.Segments[1];
        Assert.Equal(0.5, web.BaselineShare, 9);
        Assert.Equal(0.8, web.CurrentShare, 9);
        Assert.Equal(100, web.Baseline.Nps, 9);
        Assert.Equal(50, web.Current.Nps, 9);
        Assert.Equal(30, web.MixEffect, 9);
        Assert.Equal(-40, web.WithinEffect, 9);
    }

    [Fact]
    public async Task Compare_ByChannelTable_ShowsEffectsAndTotals()
    {
        string survey = await IngestAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "compare", "--survey", survey, "--current", Current, "--baseline", Baseline, "--by", "channel");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Stdout.Split('\n');
        Assert.Matches(@"current\s+\S\s+2026-02-01 00:00 \+00:00\s+\S\s+2026-03-01 00:00 \+00:00\s+\S\s+5\s", result.Stdout);
        Assert.Contains("change: +20.0 NPS points, standard error ", result.Stdout);
        string web = Assert.Single(lines, line => line.Contains(" web "));
        Assert.Matches(@"web\s+\S\s+50\.0%\s+\S\s+80\.0%\s+\S\s+100\.0\s+\S\s+50\.0\s+\S\s+\+30\.0\s+\S\s+-40\.0\s", web);
        string email = Assert.Single(lines, line => line.Contains(" email "));
        Assert.Matches(@"email\s+\S\s+50\.0%\s+\S\s+20\.0%\s+\S\s+-100\.0\s+\S\s+-100\.0\s+\S\s+\+30\.0\s+\S\s+0\.0\s", email);
        string total = Assert.Single(lines, line => line.Contains("(total)"));
        Assert.Matches(@"\+60\.0\s+\S\s+-40\.0\s", total);
        Assert.Contains("change +20.0 = mix effect +60.0 + within effect -40.0 + residual 0.0", result.Stdout);
    }

    [Fact]
    public async Task Compare_BerlinRanges_ShowLocalBounds()
    {
        // The current range starts at 2026-02-01 00:00 in Berlin, which is 2026-01-31T23:00Z.
        string survey = await IngestAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "compare", "--survey", survey, "--current", Current, "--baseline", Baseline, "--tz", "Europe/Berlin");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"current\s+\S\s+2026-02-01 00:00 \+01:00\s+\S\s+2026-03-01 00:00 \+01:00\s", result.Stdout);
        Assert.Matches(@"baseline\s+\S\s+2026-01-01 00:00 \+01:00\s+\S\s+2026-02-01 00:00 \+01:00\s", result.Stdout);
        Assert.Contains("change: +20.0 NPS points", result.Stdout);
    }

    [Fact]
    public async Task Compare_Shortcuts_ResolveToCalendarMonths()
    {
        // The test data lies in early 2026, so this month and last month have no responses.
        string survey = await IngestAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "compare", "--survey", survey, "--current", "this-month", "--baseline", "last-month",
            "--tz", "Europe/Berlin", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseJson<CompareNpsResponse>();
        Assert.Equal(0, response.Current.ResponseCount);
        Assert.Equal(0, response.Baseline.ResponseCount);
        Assert.Null(response.Change);
    }

    [Fact]
    public async Task Compare_WhereChannel_FiltersBothRanges()
    {
        string survey = await IngestAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "compare", "--survey", survey, "--current", Current, "--baseline", Baseline, "--where", "channel=web",
            "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseJson<CompareNpsResponse>();
        Assert.Equal(4, response.Current.ResponseCount);
        Assert.Equal(2, response.Baseline.ResponseCount);
        Assert.Equal(-50, response.Change.Difference, 9);
    }

    [Fact]
    public async Task Compare_UnanimousRanges_ShowsUntestedChange()
    {
        // Every baseline response is a promoter and every current one a detractor, so both standard errors are 0.
        string survey = await IngestAsync(
            "b1,10,2026-01-10T12:00:00Z,web",
            "b2,9,2026-01-11T12:00:00Z,web",
            "c1,0,2026-02-10T12:00:00Z,web");

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "compare", "--survey", survey, "--current", Current, "--baseline", Baseline);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(
            "change: -200.0 NPS points, not tested because both ranges have a standard error of 0", result.Stdout);
    }

    private Task<string> IngestAsync() => IngestAsync(
        "b1,10,2026-01-10T12:00:00Z,web",
        "b2,10,2026-01-11T12:00:00Z,web",
        "b3,0,2026-01-12T12:00:00Z,email",
        "b4,0,2026-01-13T12:00:00Z,email",
        "c1,10,2026-02-10T12:00:00Z,web",
        "c2,10,2026-02-11T12:00:00Z,web",
        "c3,10,2026-02-12T12:00:00Z,web",
        "c4,0,2026-02-13T12:00:00Z,web",
        "c5,0,2026-02-14T12:00:00Z,email");

    // Writes rows of customer suffix, score, time and channel, and ingests them into a new survey.
    private async Task<string> IngestAsync(params string[] rows)
    {
        string survey = await fixture.Server.CreateSurveyAsync("compare");
        string prefix = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv(
            "customer,score,when,channel\n" + string.Concat(rows.Select(row => $"{prefix}-{row}\n")));
        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", csv.Path, "--survey", survey, "--customer-id", "customer", "--score", "score",
            "--timestamp", "when", "--attribute", "channel=channel");
        Assert.True(result.ExitCode == 0, result.ToString());
        return survey;
    }
}

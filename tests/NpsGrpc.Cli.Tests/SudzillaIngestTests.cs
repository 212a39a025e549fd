using NpsGrpc.Testing;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// The Sudzilla conference survey: the same 39 responses in two files that differ only in the timestamp format
/// (M/d/yyyy H:mm:ss with CRLF, and yyyy-MM-dd HH:mm:ss.fff with LF). Known result: 8 promoters, 9 passives,
/// 22 detractors. The files have no customer column.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SudzillaIngestTests(ServerFixture fixture)
{
    private const string ScoreColumn = "On a scale of 0-10, how would you rate Sudzilla?";

    [Fact]
    public async Task Ingest_UsFormat_MatchesKnownAnswer()
    {
        string survey = await fixture.Server.CreateSurveyAsync("sudzilla");

        var ingest = await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", TestFiles.SharedData("prepbench-nps/case_040_sudzilla/input_01.csv"),
            "--survey", survey,
            "--customer-id-from-row",
            "--score", ScoreColumn,
            "--timestamp", "Timestamp",
            "--timestamp-format", "M/d/yyyy H:mm:ss",
            "--comment", "...why?");

        Assert.Equal(0, ingest.ExitCode);
        Assert.Equal(39, ingest.Count("accepted"));
        await AssertKnownAnswerAsync(survey);
    }

    [Fact]
    public async Task Ingest_IsoFormat_MatchesKnownAnswer()
    {
        string survey = await fixture.Server.CreateSurveyAsync("sudzilla");

        var ingest = await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", TestFiles.SharedData("prepbench-nps/case_040_sudzilla/input_02.csv"),
            "--survey", survey,
            "--customer-id", "Timestamp",
            "--score", ScoreColumn,
            "--timestamp", "Timestamp",
            "--timestamp-format", "yyyy-MM-dd HH:mm:ss.fff",
            "--comment", "...why?");

        Assert.Equal(0, ingest.ExitCode);
        Assert.Equal(39, ingest.Count("accepted"));
        await AssertKnownAnswerAsync(survey);
    }

    [Fact]
    public async Task Nps_TimeRange_CountsFirstDayOnly()
    {
        // The responses run from 2019-11-01 08:51 to 2019-11-04 04:33 (UTC, as no time zone is given).
        string survey = await fixture.Server.CreateSurveyAsync("sudzilla");
        await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", TestFiles.SharedData("prepbench-nps/case_040_sudzilla/input_02.csv"),
            "--survey", survey,
            "--customer-id-from-row",
            "--score", ScoreColumn,
            "--timestamp", "Timestamp");

        var all = await CliProcess.RunAsync(
            fixture.Server.Address, "nps", "--survey", survey, "--from", "2019-11-01", "--to", "2019-11-05", "--json");
        var none = await CliProcess.RunAsync(
            fixture.Server.Address, "nps", "--survey", survey, "--to", "2019-11-01T08:51:00Z", "--json");

        Assert.Equal(39, all.ParseNpsJson().Overall.ResponseCount);
        Assert.Equal(0, none.ParseNpsJson().Overall.ResponseCount);
    }

    private async Task AssertKnownAnswerAsync(string survey)
    {
        var result = await CliProcess.RunAsync(fixture.Server.Address, "nps", "--survey", survey, "--json");
        var overall = result.ParseNpsJson().Overall;
        Assert.Equal(39, overall.ResponseCount);
        Assert.Equal(8, overall.PromoterCount);
        Assert.Equal(9, overall.PassiveCount);
        Assert.Equal(22, overall.DetractorCount);
        Assert.Equal(100.0 * (8 - 22) / 39, overall.Nps, 9);
    }
}

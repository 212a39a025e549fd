using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// The airline survey of samples/airlines: 5,723 responses for other airlines and 184 for Prep Air, whose known
/// answer is 74 promoters, 75 passives and 35 detractors (NPS 100 x 39 / 184 = 21.196).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AirlineIngestTests(ServerFixture fixture)
{
    private const string ScoreColumn = "How likely are you to recommend this airline?";

    private static readonly string OtherAirlines = TestFiles.Sample("airlines/input_01.csv");
    private static readonly string PrepAir = TestFiles.Sample("airlines/input_02.csv");

    [Fact]
    public async Task Ingest_BothFiles_PrepAirMatchesKnownAnswer()
    {
        string survey = await fixture.Server.CreateSurveyAsync("airlines");
        await IngestAsync(survey, OtherAirlines);
        await IngestAsync(survey, PrepAir);

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "nps", "--survey", survey, "--by", "airline", "--min-n", "50", "--json");

        Assert.Equal(0, result.ExitCode);
        var groups = result.ParseNpsJson().Groups;
        var prepAir = Assert.Single(groups, group => group.Keys[0].Value == "Prep Air").Statistics;
        Assert.Equal(184, prepAir.ResponseCount);
        Assert.Equal(74, prepAir.PromoterCount);
        Assert.Equal(75, prepAir.PassiveCount);
        Assert.Equal(35, prepAir.DetractorCount);
        Assert.Equal(100.0 * (74 - 35) / 184, prepAir.Nps, 9);
        Assert.False(prepAir.InsufficientSample);
    }

    [Fact]
    public async Task Ingest_OtherAirlines_RejectsOverlongCustomerIds()
    {
        // Three customer ids in this file were turned into long numbers by a spreadsheet; the server rejects them.
        string survey = await fixture.Server.CreateSurveyAsync("airlines");

        var result = await IngestAsync(survey, OtherAirlines);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(5723, result.Count("rows read"));
        Assert.Equal(5720, result.Count("accepted"));
        Assert.Equal(3, result.Count("rejected"));
        Assert.Equal(0, result.Count("unparsable"));
        Assert.Contains("line 944: rejected: customer_id:", result.Stdout);
        Assert.Contains("line 2184: rejected: customer_id:", result.Stdout);
        Assert.Contains("line 4711: rejected: customer_id:", result.Stdout);
    }

    [Fact]
    public async Task Ingest_SameFileTwice_AddsNothing()
    {
        string survey = await fixture.Server.CreateSurveyAsync("airlines");
        var first = await IngestAsync(survey, PrepAir);

        var second = await IngestAsync(survey, PrepAir);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(184, first.Count("accepted"));
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, second.Count("accepted"));
        Assert.Equal(184, second.Count("duplicates"));
        var nps = await fixture.Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = survey });
        Assert.Equal(184, nps.Overall.ResponseCount);
    }

    [Fact]
    public async Task Nps_Table_ShowsPrepAirRow()
    {
        string survey = await fixture.Server.CreateSurveyAsync("airlines");
        await IngestAsync(survey, PrepAir);

        var result = await CliProcess.RunAsync(fixture.Server.Address, "nps", "--survey", survey, "--by", "airline");

        Assert.Equal(0, result.ExitCode);
        string row = Assert.Single(result.Stdout.Split('\n'), line => line.Contains("Prep Air"));
        Assert.Matches(@"Prep Air\s+\S\s+184\s+\S\s+74\s+\S\s+75\s+\S\s+35\s+\S\s+21\.2\s", row);
        Assert.Contains("(all responses)", result.Stdout);
    }

    private Task<CliResult> IngestAsync(string survey, string file) => CliProcess.RunAsync(
        fixture.Server.Address,
        "ingest", file,
        "--survey", survey,
        "--customer-id", "CustomerID",
        "--score", ScoreColumn,
        "--attribute", "airline=Airline",
        "--responded-at", "2022-01-01T00:00:00Z");
}

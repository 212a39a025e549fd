using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>Ingest of small CSV files with awkward formatting and bad rows, written by the tests.</summary>
[Collection(ServerCollection.Name)]
public sealed class CsvEdgeCaseTests(ServerFixture fixture)
{
    [Fact]
    public async Task Ingest_BomCrlfQuotedNewline_AcceptsAll()
    {
        string customer = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv(
            "id,customer,score,comment\r\n" +
            $"r1,{customer}-1,9,plain\r\n" +
            $"r2,{customer}-2,10,\"two\r\nlines, a comma and \"\"doubled\"\" quotes\"\r\n" +
            $"r3,{customer}-3,3,\"ロード時間が長い, очень медленно\"\r\n",
            byteOrderMark: true);
        string survey = await fixture.Server.CreateSurveyAsync("csv");

        var result = await IngestAsync(survey, csv.Path, "--response-id", "id", "--comment", "comment");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, result.Count("rows read"));
        Assert.Equal(3, result.Count("accepted"));
        Assert.Equal(0, result.Count("unparsable"));
        var nps = await fixture.Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = survey });
        Assert.Equal(2, nps.Overall.PromoterCount);
        Assert.Equal(1, nps.Overall.DetractorCount);
    }

    [Fact]
    public async Task Ingest_BadRows_ReportedWithStartLines()
    {
        string customer = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv(
            "id,customer,score,comment\n" +                      // line 1
            $"r1,{customer}-1,9,\"spans\nthree\nlines\"\n" +    // lines 2-4
            $"r2,{customer}-2,,blank score\n" +                 // line 5
            "\n" +                                              // line 6, empty
            $"r3,{customer}-3,7.5,fraction\n" +                 // line 7
            $"r4,{customer}-4,11,\"out of\nrange\"\n" +         // lines 8-9
            $"r5,,8,no customer\n" +                            // line 10
            $"r6,{customer}-6,0,last\n");                       // line 11
        string survey = await fixture.Server.CreateSurveyAsync("csv");

        var result = await IngestAsync(survey, csv.Path, "--response-id", "id", "--comment", "comment");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(6, result.Count("rows read"));
        Assert.Equal(2, result.Count("accepted"));
        Assert.Equal(1, result.Count("rejected"));
        Assert.Equal(3, result.Count("unparsable"));
        Assert.Contains("line 5: unparsable: score: score in column 'score' is blank", result.Stdout);
        Assert.Contains("line 7: unparsable: score: score in column 'score' '7.5' is not an integer", result.Stdout);
        Assert.Contains("line 8: rejected: score: score 11 is out of range", result.Stdout);
        Assert.Contains("line 10: unparsable: customer_id:", result.Stdout);
    }

    [Fact]
    public async Task Ingest_TimeZone_ConvertsWallClockToUtc()
    {
        string customer = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv(
            "customer,score,when\n" +
            $"{customer}-1,9,2024-03-01 09:00\n" +      // 08:00 UTC in winter
            $"{customer}-2,9,2024-07-01 09:00\n" +      // 07:00 UTC in summer
            $"{customer}-3,9,2024-03-31 02:30\n" +      // skipped when clocks go forward
            $"{customer}-4,9,yesterday\n");
        string survey = await fixture.Server.CreateSurveyAsync("csv");

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", csv.Path, "--survey", survey, "--customer-id", "customer", "--score", "score",
            "--timestamp", "when", "--time-zone", "Europe/Berlin");
        var winter = await CountAsync(survey, "2024-03-01T08:00:00Z", "2024-03-01T08:00:01Z");
        var summer = await CountAsync(survey, "2024-07-01T07:00:00Z", "2024-07-01T07:00:01Z");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, result.Count("accepted"));
        Assert.Contains("line 4: unparsable: responded_at:", result.Stdout);
        Assert.Contains("daylight saving", result.Stdout);
        Assert.Contains("line 5: unparsable: responded_at:", result.Stdout);
        Assert.Equal(1, winter);
        Assert.Equal(1, summer);
    }

    [Fact]
    public async Task Ingest_Attributes_BlankCellOmitsAttribute()
    {
        string customer = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv(
            "customer,score,channel\n" +
            $"{customer}-1,9,web\n" +
            $"{customer}-2,3,\n" +
            $"{customer}-3,10,web\n");
        string survey = await fixture.Server.CreateSurveyAsync("csv");

        var ingest = await IngestAsync(survey, csv.Path, "--attribute", "channel=channel");
        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "nps", "--survey", survey, "--by", "channel", "--json");

        Assert.Equal(0, ingest.ExitCode);
        var groups = result.ParseNpsJson().Groups;
        Assert.Equal(2, groups.Count);
        Assert.Equal("web", groups[0].Keys[0].Value);
        Assert.Equal(2, groups[0].Statistics.ResponseCount);
        Assert.False(groups[1].Keys[0].HasValue);
        Assert.Equal(1, groups[1].Statistics.ResponseCount);
    }

    [Fact]
    public async Task Ingest_IdenticalRowsWithoutIdColumn_StayDistinct()
    {
        string customer = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv($"customer,score\n{customer},9\n{customer},9\n{customer},6\n");
        string survey = await fixture.Server.CreateSurveyAsync("csv");

        var first = await IngestAsync(survey, csv.Path);
        var second = await IngestAsync(survey, csv.Path);

        Assert.Equal(3, first.Count("accepted"));
        Assert.Equal(0, second.Count("accepted"));
        Assert.Equal(3, second.Count("duplicates"));
    }

    [Fact]
    public async Task Customers_RepeatedRows_AccumulateValues()
    {
        string customer = TestFiles.UniquePrefix();
        using var customers = new TemporaryCsv(
            "user,team\n" +
            $"{customer}-1,red\n" +
            $"{customer}-1,blue\n" +
            $"{customer}-1,\n" +
            $"{customer}-2,red\n");
        using var responses = new TemporaryCsv($"user,score\n{customer}-1,10\n{customer}-2,0\n");
        string survey = await fixture.Server.CreateSurveyAsync("csv");

        var upsert = await CliProcess.RunAsync(
            fixture.Server.Address, "customers", customers.Path, "--customer-id", "user", "--attribute", "team=team");
        await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", responses.Path, "--survey", survey, "--customer-id", "user", "--score", "score",
            "--responded-at", "2024-01-01T00:00:00Z");
        var query = await CliProcess.RunAsync(
            fixture.Server.Address, "nps", "--survey", survey, "--by-customer", "team", "--json");

        Assert.Equal(0, upsert.ExitCode);
        Assert.Equal(2, upsert.Count("customers"));
        Assert.Equal(2, upsert.Count("upserted"));
        var groups = query.ParseNpsJson().Groups.ToDictionary(group => group.Keys[0].Value, group => group.Statistics);
        Assert.Equal(1, groups["blue"].ResponseCount);
        Assert.Equal(2, groups["red"].ResponseCount);
    }

    private Task<CliResult> IngestAsync(string survey, string file, params string[] extra) => CliProcess.RunAsync(
        fixture.Server.Address,
        [
            "ingest", file,
            "--survey", survey,
            "--customer-id", "customer",
            "--score", "score",
            "--responded-at", "2024-01-01T00:00:00Z",
            .. extra,
        ]);

    private async Task<long> CountAsync(string survey, string from, string to)
    {
        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "nps", "--survey", survey, "--from", from, "--to", to, "--json");
        return result.ParseNpsJson().Overall.ResponseCount;
    }
}

using System.Globalization;
using Microsoft.VisualBasic.FileIO;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// 'nps segments' on the airline survey of samples/airlines, where Prep Air's known answer is 74 promoters,
/// 75 passives and 35 detractors (NPS 100 x 39 / 184 = 21.196), and on small files written by the tests.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SegmentsCommandTests(ServerFixture fixture)
{
    private const string ScoreColumn = "How likely are you to recommend this airline?";

    // The API's limit on customer ids. Three rows of the first file exceed it, so the server rejects them.
    private const int MaxCustomerIdLength = 128;

    private static readonly string OtherAirlines = TestFiles.Sample("airlines/input_01.csv");
    private static readonly string PrepAir = TestFiles.Sample("airlines/input_02.csv");

    // Both files are ingested once into one survey for the tests of this class.
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static string? _airlineSurvey;

    [Fact]
    public async Task Segments_SortByNps_ShowsPrepAirRow()
    {
        string survey = await AirlineSurveyAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "segments", "--survey", survey, "--by", "airline", "--min-n", "50", "--sort", "nps");

        Assert.True(result.ExitCode == 0, result.ToString());
        string row = Assert.Single(result.Stdout.Split('\n'), line => line.Contains("Prep Air"));
        var cells = Cells(row);
        Assert.Equal("184", cells[1]);
        Assert.Equal("40.2%", cells[2]);
        Assert.Equal("40.8%", cells[3]);
        Assert.Equal("19.0%", cells[4]);
        Assert.Equal("21.2", cells[5]);
        Assert.Matches(@"^\[\d+\.\d, \d+\.\d\]$", cells[6]);
        Assert.Matches(@"^[+-]\d+\.\d$", cells[7]);
        Assert.Matches(@"^(<0\.001|\d\.\d+)$", cells[8]);
        Assert.Matches(@"^(<0\.001|\d\.\d+)$", cells[9]);
        string lastRow = result.Stdout.Split('\n').Last(line => line.Contains('│'));
        Assert.Contains("(all responses)", lastRow);
    }

    [Fact]
    public async Task Segments_SortByNps_OrdersGroups()
    {
        string survey = await AirlineSurveyAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "segments", "--survey", survey, "--by", "airline", "--min-n", "50", "--sort", "nps", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseNpsJson();
        Assert.Equal(99, response.Groups.Count);
        var nps = response.Groups.Select(group => group.Statistics.Nps).ToList();
        Assert.Equal(nps.OrderByDescending(value => value), nps);
        Assert.All(response.Groups, group =>
            Assert.Equal(group.Statistics.ResponseCount < 50, group.Statistics.InsufficientSample));
    }

    [Fact]
    public async Task Segments_Json_PrepAirMatchesKnownAnswer()
    {
        string survey = await AirlineSurveyAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "segments", "--survey", survey, "--by", "airline", "--min-n", "50", "--sort", "nps", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseNpsJson();
        var prepAir = Assert.Single(response.Groups, group => group.Keys[0].Value == "Prep Air");
        Assert.Equal(184, prepAir.Statistics.ResponseCount);
        Assert.Equal(74, prepAir.Statistics.PromoterCount);
        Assert.Equal(75, prepAir.Statistics.PassiveCount);
        Assert.Equal(35, prepAir.Statistics.DetractorCount);
        Assert.Equal(100.0 * (74 - 35) / 184, prepAir.Statistics.Nps, 9);
        Assert.Equal(74.0 / 184, prepAir.Statistics.PromoterShare, 9);
        Assert.False(prepAir.Statistics.InsufficientSample);
        Assert.NotNull(prepAir.DifferenceFromOverall);
        Assert.Equal(
            prepAir.Statistics.Nps - response.Overall.Nps, prepAir.DifferenceFromOverall.Difference, 9);
        Assert.InRange(prepAir.DifferenceFromOverall.AdjustedPValue, prepAir.DifferenceFromOverall.PValue, 1.0);
        Assert.Equal(5720 + 184, response.Overall.ResponseCount);
    }

    [Fact]
    public async Task Segments_TopTwoByCount_ShowsLargestGroups()
    {
        string survey = await AirlineSurveyAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "segments", "--survey", survey, "--by", "airline", "--sort", "n", "--top", "2", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseNpsJson();
        Assert.Equal(["Prep Air", "Schulist, Adams and Hilpert"], response.Groups.Select(group => group.Keys[0].Value));
        Assert.Equal(2, response.TotalGroupCount);
    }

    [Theory]
    [InlineData("airline=Prep Air|Schmeler, Schimmel and Collier")]
    [InlineData("airline!=Prep Air|Hand-Maggio")]
    [InlineData("airline!=Blick Inc")]
    [InlineData("airline=Hoppe Inc")]
    [InlineData("airline?")]
    public async Task Segments_Where_MatchesCountsFromCsv(string condition)
    {
        string survey = await AirlineSurveyAsync();
        var expected = CountAirlineRows(condition);

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "segments", "--survey", survey, "--by", "airline", "--where", condition, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseNpsJson();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), response.Groups.Select(group => group.Keys[0].Value));
        foreach (var group in response.Groups)
        {
            var counts = expected[group.Keys[0].Value];
            Assert.Equal(counts.Promoters, group.Statistics.PromoterCount);
            Assert.Equal(counts.Passives, group.Statistics.PassiveCount);
            Assert.Equal(counts.Detractors, group.Statistics.DetractorCount);
        }

        Assert.Equal(expected.Values.Sum(counts => counts.Total), response.Overall.ResponseCount);
    }

    [Fact]
    public async Task Segments_WhereMissing_CountsNothing()
    {
        string survey = await AirlineSurveyAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "segments", "--survey", survey, "--where", "!airline", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(0, result.ParseNpsJson().Overall.ResponseCount);
    }

    [Fact]
    public async Task Segments_WhereValueWithEquals_MatchesExactValue()
    {
        string survey = await fixture.Server.CreateSurveyAsync("segments");
        string prefix = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv(
            "customer,score,campaign\n" +
            $"{prefix}-1,10,utm=spring sale\n" +
            $"{prefix}-2,9,utm=spring sale\n" +
            $"{prefix}-3,0,utm=spring\n" +
            $"{prefix}-4,8,\n");
        await IngestAsync(survey, csv.Path, "--attribute", "campaign=campaign");

        var equal = await RunJsonAsync(survey, "--where", "campaign=utm=spring sale");
        var notEqual = await RunJsonAsync(survey, "--where", "campaign!=utm=spring sale");
        var present = await RunJsonAsync(survey, "--where", "campaign?");
        var missing = await RunJsonAsync(survey, "--where", "!campaign");

        Assert.Equal(2, equal.Overall.ResponseCount);
        Assert.Equal(100, equal.Overall.Nps);
        Assert.Equal(2, notEqual.Overall.ResponseCount);
        Assert.Equal(1, notEqual.Overall.DetractorCount);
        Assert.Equal(1, notEqual.Overall.PassiveCount);
        Assert.Equal(3, present.Overall.ResponseCount);
        Assert.Equal(1, missing.Overall.ResponseCount);
    }

    [Fact]
    public async Task Segments_Table_MarksSignificantAndSmallGroups()
    {
        string survey = await fixture.Server.CreateSurveyAsync("segments");
        string prefix = TestFiles.UniquePrefix();
        var rows = Enumerable.Range(0, 60).Select(i => $"{prefix}-a{i},10,web")
            .Concat(Enumerable.Range(0, 60).Select(i => $"{prefix}-b{i},0,email"))
            .Append($"{prefix}-c,8,app");
        using var csv = new TemporaryCsv("customer,score,channel\n" + string.Join('\n', rows) + "\n");
        await IngestAsync(survey, csv.Path, "--attribute", "channel=channel");

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "segments", "--survey", survey, "--by", "channel");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Stdout.Split('\n');
        string web = Assert.Single(lines, line => line.Contains(" web "));
        string app = Assert.Single(lines, line => line.Contains(" app "));
        Assert.Equal("+100.0", Cells(web)[7]);
        Assert.Equal("<0.001", Cells(web)[9]);
        Assert.Equal("significant", Cells(web)[^1]);
        Assert.Equal("0.0", Cells(app)[7]);
        Assert.Equal("insufficient sample", Cells(app)[^1]);
    }

    private async Task<GetNpsResponse> RunJsonAsync(string survey, params string[] args)
    {
        var result = await CliProcess.RunAsync(
            fixture.Server.Address, ["segments", "--survey", survey, .. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.ParseNpsJson();
    }

    private async Task<string> AirlineSurveyAsync()
    {
        await SetupLock.WaitAsync();
        try
        {
            if (_airlineSurvey is null)
            {
                string survey = await fixture.Server.CreateSurveyAsync("airlines");
                await IngestAirlineAsync(survey, OtherAirlines);
                await IngestAirlineAsync(survey, PrepAir);
                _airlineSurvey = survey;
            }

            return _airlineSurvey;
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private Task<CliResult> IngestAirlineAsync(string survey, string file) => CliProcess.RunAsync(
        fixture.Server.Address,
        "ingest", file,
        "--survey", survey,
        "--customer-id", "CustomerID",
        "--score", ScoreColumn,
        "--attribute", "airline=Airline",
        "--responded-at", "2022-01-01T00:00:00Z");

    private async Task IngestAsync(string survey, string file, params string[] extra)
    {
        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            [
                "ingest", file, "--survey", survey, "--customer-id", "customer", "--score", "score",
                "--responded-at", "2024-01-01T00:00:00Z", .. extra,
            ]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    // Counts the rows of both airline files that the server stores and that meet the condition, per airline.
    // The condition forms used by the tests are evaluated here by hand, without the CLI's parser.
    private static Dictionary<string, AirlineCounts> CountAirlineRows(string condition)
    {
        Func<string, bool> matches = condition switch
        {
            "airline?" => _ => true,
            _ when condition.StartsWith("airline!=", StringComparison.Ordinal) =>
                airline => !condition["airline!=".Length..].Split('|').Contains(airline),
            _ => airline => condition["airline=".Length..].Split('|').Contains(airline),
        };

        var counts = new Dictionary<string, AirlineCounts>();
        foreach (string file in new[] { OtherAirlines, PrepAir })
        {
            // TextFieldParser (part of .NET) reads the files independently of the CLI's CSV reader.
            using var parser = new TextFieldParser(file)
            {
                TextFieldType = FieldType.Delimited,
                HasFieldsEnclosedInQuotes = true,
                TrimWhiteSpace = false,
            };
            parser.SetDelimiters(",");
            string[] header = parser.ReadFields()!;
            int airlineColumn = Array.IndexOf(header, "Airline");
            int customerColumn = Array.IndexOf(header, "CustomerID");
            int scoreColumn = Array.IndexOf(header, ScoreColumn);
            while (parser.ReadFields() is { } fields)
            {
                string airline = fields[airlineColumn];
                int score = int.Parse(fields[scoreColumn], CultureInfo.InvariantCulture);
                if (fields[customerColumn].Length > MaxCustomerIdLength || !matches(airline))
                {
                    continue;
                }

                var current = counts.GetValueOrDefault(airline);
                counts[airline] = score switch
                {
                    >= 9 => current with { Promoters = current.Promoters + 1 },
                    >= 7 => current with { Passives = current.Passives + 1 },
                    _ => current with { Detractors = current.Detractors + 1 },
                };
            }
        }

        return counts;
    }

    // The cells of a table row drawn with Spectre.Console's default box characters.
    private static string[] Cells(string row) =>
        row.Split('│', StringSplitOptions.RemoveEmptyEntries).Select(cell => cell.Trim()).ToArray();

    private readonly record struct AirlineCounts(long Promoters, long Passives, long Detractors)
    {
        public long Total => Promoters + Passives + Detractors;
    }
}

using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// 'nps segments' by the customer attribute segment on Miro's NPS survey, read from shared/data/miro-nps, where a
/// user may belong to several segments. The expected figures were computed independently of this code.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MiroSegmentsTests(ServerFixture fixture)
{
    // The customers and the survey are set up once for the tests of this class.
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static string? _survey;

    [Theory]
    [InlineData("Free", 354, 61.86)]
    [InlineData("SelfServe", 157, 56.05)]
    [InlineData("HighTouch", 39, 46.15)]
    public async Task Segments_ByCustomerSegment_CountsEveryMembership(
        string segment, long expectedCount, double expectedNps)
    {
        string survey = await SetUpAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "segments", "--survey", survey, "--by-customer", "segment", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseNpsJson();
        var group = Assert.Single(response.Groups, group => group.Keys[0].Value == segment);
        Assert.Equal(AttributeScope.Customer, group.Keys[0].Scope);
        Assert.Equal(expectedCount, group.Statistics.ResponseCount);
        Assert.Equal(expectedNps, Math.Round(group.Statistics.Nps, 2));
        Assert.Equal(441, response.Overall.ResponseCount);
    }

    [Fact]
    public async Task Segments_WhereCustomerSegment_FiltersResponses()
    {
        string survey = await SetUpAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "segments", "--survey", survey, "--where-customer", "segment=HighTouch", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var overall = result.ParseNpsJson().Overall;
        Assert.Equal(39, overall.ResponseCount);
        Assert.Equal(46.15, Math.Round(overall.Nps, 2));
    }

    [Fact]
    public async Task Segments_CustomerTable_ShowsScope()
    {
        string survey = await SetUpAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "segments", "--survey", survey, "--by-customer", "segment");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("segment (customer)", result.Stdout);
        string free = Assert.Single(result.Stdout.Split('\n'), line => line.Contains(" Free "));
        Assert.Matches(@"\s354\s.*\s61\.9\s", free);
    }

    private async Task<string> SetUpAsync()
    {
        await SetupLock.WaitAsync();
        try
        {
            return _survey ??= await CreateSurveyAsync();
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private async Task<string> CreateSurveyAsync()
    {
        string server = fixture.Server.Address;

        // The file has one row with a blank user id, which the command reports as unparsable (exit code 1).
        var customers = await CliProcess.RunAsync(
            server, "customers", Data("segments.csv"), "--customer-id", "user_id", "--attribute", "segment=segment");
        Assert.True(customers.ExitCode == 1, customers.ToString());
        Assert.Equal(1, customers.Count("unparsable"));

        string survey = await fixture.Server.CreateSurveyAsync("miro-segments");
        var ingest = await CliProcess.RunAsync(
            server,
            "ingest", Data("nps.csv"),
            "--survey", survey,
            "--customer-id", "user_id",
            "--score", "NPS_Score",
            "--comment", "text",
            "--responded-at", "2020-07-01T00:00:00Z");
        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        return survey;
    }

    private static string Data(string file) => TestFiles.SharedData($"miro-nps/{file}");
}

using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// Miro's in-product NPS survey, read from shared/data/miro-nps (not redistributable, so not in the repository):
/// 441 answers without dates, comments with quoted line breaks, Japanese and Russian text, and customer files in
/// which a user may belong to several segments. The expected figures were computed independently of this code.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MiroIngestTests(ServerFixture fixture)
{
    // The customers and surveys are set up once for the tests of this class, because customer attributes are
    // shared by every survey of the server.
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static MiroSetup? _setup;

    [Fact]
    public async Task Ingest_AllRows_MatchesKnownCounts()
    {
        var setup = await SetUpAsync();

        var overall = (await QueryAsync(setup.AllRowsSurvey)).Overall;

        Assert.Equal(0, setup.AllRowsIngest.ExitCode);
        Assert.Equal(441, setup.AllRowsIngest.Count("accepted"));
        Assert.Equal(441, overall.ResponseCount);
        Assert.Equal(306, overall.PromoterCount);
        Assert.Equal(95, overall.PassiveCount);
        Assert.Equal(40, overall.DetractorCount);
        Assert.Equal(60.32, Math.Round(overall.Nps, 2));
    }

    [Fact]
    public async Task Ingest_DedupeIdenticalRows_DropsFifteenRepeats()
    {
        var setup = await SetUpAsync();

        var overall = (await QueryAsync(setup.DedupedSurvey)).Overall;

        Assert.Equal(0, setup.DedupedIngest.ExitCode);
        Assert.Equal(426, setup.DedupedIngest.Count("accepted"));
        Assert.Equal(15, setup.DedupedIngest.Count("duplicates"));
        Assert.Equal(426, overall.ResponseCount);
        Assert.Equal(296, overall.PromoterCount);
        Assert.Equal(93, overall.PassiveCount);
        Assert.Equal(37, overall.DetractorCount);
        Assert.Equal(60.80, Math.Round(overall.Nps, 2));
    }

    [Fact]
    public async Task Customers_BlankIds_ReportedAsUnparsable()
    {
        var setup = await SetUpAsync();

        Assert.Equal(1, setup.SegmentsUpsert.ExitCode);
        Assert.Equal(6059, setup.SegmentsUpsert.Count("rows read"));
        Assert.Equal(1, setup.SegmentsUpsert.Count("unparsable"));
        Assert.Equal(0, setup.SegmentsUpsert.Count("rejected"));
        Assert.Contains("line 233: unparsable: customer_id:", setup.SegmentsUpsert.Stdout);
        Assert.Equal(1, setup.RolesUpsert.ExitCode);
        Assert.Equal(1, setup.RolesUpsert.Count("unparsable"));
        Assert.Contains("line 2: unparsable: customer_id:", setup.RolesUpsert.Stdout);
    }

    [Theory]
    [InlineData("Free", 354, 61.86)]
    [InlineData("SelfServe", 157, 56.05)]
    [InlineData("HighTouch", 39, 46.15)]
    public async Task Nps_BySegment_CountsEveryMembership(string segment, long expectedCount, double expectedNps)
    {
        var setup = await SetUpAsync();

        var response = await QueryAsync(setup.AllRowsSurvey, "--by-customer", "segment");

        var group = Assert.Single(response.Groups, group => group.Keys[0].Value == segment).Statistics;
        Assert.Equal(expectedCount, group.ResponseCount);
        Assert.Equal(expectedNps, Math.Round(group.Nps, 2));
    }

    [Theory]
    [InlineData("2019", 156, 56.41)]
    [InlineData("2020", 206, 62.62)]
    public async Task Nps_BySignupYear_MatchesKnownAnswer(string year, long expectedCount, double expectedNps)
    {
        var setup = await SetUpAsync();

        var response = await QueryAsync(setup.AllRowsSurvey, "--by-customer", "signup_date");

        var groups = response.Groups
            .Where(group => group.Keys[0].HasValue && group.Keys[0].Value.StartsWith(year, StringComparison.Ordinal))
            .ToList();
        long count = groups.Sum(group => group.Statistics.ResponseCount);
        long promoters = groups.Sum(group => group.Statistics.PromoterCount);
        long detractors = groups.Sum(group => group.Statistics.DetractorCount);
        Assert.Equal(expectedCount, count);
        Assert.Equal(expectedNps, Math.Round(100.0 * (promoters - detractors) / count, 2));
    }

    private async Task<GetNpsResponse> QueryAsync(string survey, params string[] grouping)
    {
        var result = await CliProcess.RunAsync(
            fixture.Server.Address, ["nps", "--survey", survey, .. grouping, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.ParseNpsJson();
    }

    private async Task<MiroSetup> SetUpAsync()
    {
        await SetupLock.WaitAsync();
        try
        {
            return _setup ??= await CreateSetupAsync();
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private async Task<MiroSetup> CreateSetupAsync()
    {
        string server = fixture.Server.Address;
        var segmentsUpsert = await CliProcess.RunAsync(
            server, "customers", Data("segments.csv"), "--customer-id", "user_id", "--attribute", "segment=segment");
        var rolesUpsert = await CliProcess.RunAsync(
            server,
            "customers", Data("roles.csv"),
            "--customer-id", "user_id",
            "--attribute", "signup_date=user_registered_date",
            "--attribute", "role=functional_role");

        string allRows = await fixture.Server.CreateSurveyAsync("miro");
        var allRowsIngest = await IngestAsync(allRows);
        string deduped = await fixture.Server.CreateSurveyAsync("miro-dedupe");
        var dedupedIngest = await IngestAsync(deduped, "--dedupe-identical-rows");
        return new MiroSetup(segmentsUpsert, rolesUpsert, allRows, allRowsIngest, deduped, dedupedIngest);
    }

    private Task<CliResult> IngestAsync(string survey, params string[] extra) => CliProcess.RunAsync(
        fixture.Server.Address,
        [
            "ingest", Data("nps.csv"),
            "--survey", survey,
            "--customer-id", "user_id",
            "--score", "NPS_Score",
            "--comment", "text",
            "--responded-at", "2020-07-01T00:00:00Z",
            .. extra,
        ]);

    private static string Data(string file) => TestFiles.SharedData($"miro-nps/{file}");

    private sealed record MiroSetup(
        CliResult SegmentsUpsert,
        CliResult RolesUpsert,
        string AllRowsSurvey,
        CliResult AllRowsIngest,
        string DedupedSurvey,
        CliResult DedupedIngest);
}

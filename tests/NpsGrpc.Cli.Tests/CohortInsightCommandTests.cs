using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// The --cohort option of 'nps personas', 'nps themes', 'nps comments search' and 'nps goals set', each checked
/// against the same conditions given as --where and --where-customer and against counts worked out by hand.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CohortInsightCommandTests(ServerFixture fixture)
{
    private string Server => fixture.Server.Address;

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>
    /// Ingests seven responses of four customers and creates the cohorts paying (plan pro or team) and app
    /// (channel app). Paying customers responded on the app with 10 ("fast board") and 3 ("slow board").
    /// </summary>
    private async Task<(string Survey, string Paying, string App)> SetUpAsync()
    {
        string prefix = TestFiles.UniquePrefix();
        string paying = UniqueName("paying");
        string app = UniqueName("app");
        using var customers = new TemporaryCsv(
            $"customer,plan\n{prefix}-1,pro\n{prefix}-2,team\n{prefix}-3,free\n{prefix}-4,pro\n");
        using var responses = new TemporaryCsv(
            "id,customer,score,channel,text\n" +
            $"1,{prefix}-1,10,app,fast board\n2,{prefix}-1,9,web,fast board\n3,{prefix}-2,3,app,slow board\n" +
            $"4,{prefix}-3,10,app,fast board\n5,{prefix}-3,0,web,slow board\n6,{prefix}-4,8,web,fine board\n" +
            $"7,{prefix}-4,10,web,fast board\n");
        string survey = await fixture.Server.CreateSurveyAsync("cohort-insight-cli");
        await RunOkAsync("customers", customers.Path, "--customer-id", "customer", "--attribute", "plan=plan");
        await RunOkAsync(
            "ingest", responses.Path, "--survey", survey, "--response-id", "id", "--customer-id", "customer",
            "--score", "score", "--attribute", "channel=channel", "--comment", "text",
            "--responded-at", "2026-03-01T00:00:00Z");
        await RunOkAsync("cohorts", "create", paying, "--where-customer", "plan=pro|team");
        await RunOkAsync("cohorts", "create", app, "--where", "channel=app");
        return (survey, paying, app);
    }

    [Fact]
    public async Task Personas_Cohort_MatchesWhere()
    {
        var (survey, paying, app) = await SetUpAsync();
        string[] common = ["personas", "--survey", survey, "--min-n", "1", "--min-support", "1", "--json"];

        var byCohort = await RunOkAsync([.. common, "--cohort", paying, "--cohort", app]);
        var byWhere = await RunOkAsync([.. common, "--where-customer", "plan=pro|team", "--where", "channel=app"]);

        var response = byCohort.ParseJson<GetPersonasResponse>();
        Assert.Equal(byWhere.ParseJson<GetPersonasResponse>(), response);
        Assert.Equal(2, response.Overall.ResponseCount);
        Assert.Equal(1, response.Overall.PromoterCount);
        Assert.Equal(1, response.Overall.DetractorCount);
    }

    [Fact]
    public async Task Themes_Cohort_MatchesWhere()
    {
        var (survey, paying, app) = await SetUpAsync();
        string[] common = ["themes", "--survey", survey, "--min-count", "1", "--json"];

        var byCohort = await RunOkAsync([.. common, "--cohort", paying, "--cohort", app]);
        var byWhere = await RunOkAsync([.. common, "--where-customer", "plan=pro|team", "--where", "channel=app"]);

        var response = byCohort.ParseJson<GetCommentThemesResponse>();
        Assert.Equal(byWhere.ParseJson<GetCommentThemesResponse>(), response);
        Assert.Equal(1, response.PromoterCommentCount);
        Assert.Equal(1, response.DetractorCommentCount);
    }

    [Fact]
    public async Task CommentsSearch_Cohort_MatchesWhere()
    {
        var (survey, paying, app) = await SetUpAsync();
        string[] common = ["comments", "search", "board", "--survey", survey, "--json"];

        var byCohort = await RunOkAsync([.. common, "--cohort", paying, "--cohort", app]);
        var byWhere = await RunOkAsync([.. common, "--where-customer", "plan=pro|team", "--where", "channel=app"]);

        var response = byCohort.ParseJson<SearchCommentsResponse>();
        Assert.Equal(byWhere.ParseJson<SearchCommentsResponse>(), response);
        Assert.Equal(["1", "3"], response.Matches.Select(m => m.ResponseId).Order());
    }

    [Fact]
    public async Task GoalsSet_Cohort_ProgressCountsCohort()
    {
        var (survey, paying, _) = await SetUpAsync();
        string goalId = $"g-{Guid.NewGuid():N}";

        await RunOkAsync(
            "goals", "set", goalId, "--survey", survey, "--target", "0", "--from", "2026-02-01", "--to", "2026-04-01",
            "--cohort", paying);
        var progress = await RunOkAsync("goals", "progress", goalId, "--json");
        var text = await RunOkAsync("goals", "progress", goalId);
        var list = await RunOkAsync("goals", "list", "--survey", survey);

        // The scores of paying customers are 10, 9, 3, 8 and 10.
        var statistics = progress.ParseJson<GetGoalProgressResponse>().Statistics;
        Assert.Equal(5, statistics.ResponseCount);
        Assert.Equal(3, statistics.PromoterCount);
        Assert.Equal(1, statistics.DetractorCount);
        Assert.Equal(100.0 * (3 - 1) / 5, statistics.Nps, 9);
        Assert.Contains($"cohorts: {paying}", text.Stdout);
        Assert.Contains("responses: 5 until", text.Stdout);
        Assert.Contains(paying, list.Stdout);
    }

    [Fact]
    public async Task Personas_UnknownCohort_NotFound()
    {
        string survey = await fixture.Server.CreateSurveyAsync("cohort-insight-missing");
        string missing = UniqueName("missing");

        var result = await CliProcess.RunAsync(Server, "personas", "--survey", survey, "--cohort", missing);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"cohort_filters[0]: cohort '{missing}' does not exist", result.Stderr);
    }

    private async Task<CliResult> RunOkAsync(params string[] args)
    {
        var result = await CliProcess.RunAsync(Server, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}

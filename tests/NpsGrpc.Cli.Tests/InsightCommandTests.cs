using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// The insight commands on Miro's in-product NPS survey: 441 responses, each with a non-blank comment, some in
/// Japanese and Russian, from 306 promoters, 95 passives and 40 detractors. These counts were computed independently
/// of this code.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class InsightCommandTests(ServerFixture fixture)
{
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static string? _survey;

    [Fact]
    public async Task Themes_Miro_CountsEveryComment()
    {
        string survey = await SetUpAsync();

        var result = await CliProcess.RunAsync(fixture.Server.Address, "themes", "--survey", survey, "--top", "200", "--min-count", "1", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseJson<GetCommentThemesResponse>();
        Assert.Equal(306, response.PromoterCommentCount);
        Assert.Equal(40, response.DetractorCommentCount);
        Assert.Equal(200, response.PromoterThemes.Count);
        Assert.NotEmpty(response.DetractorThemes);
        Assert.All(response.PromoterThemes.Concat(response.DetractorThemes), theme =>
        {
            Assert.Equal(theme.Term.Trim(), theme.Term);
            Assert.True(theme.Term.Split(' ').All(word => word.Length > 0 && word.All(char.IsLetterOrDigit) || word.Any(char.IsSurrogate)), theme.Term);
        });
    }

    [Fact]
    public async Task Themes_Miro_TableShowsSides()
    {
        string survey = await SetUpAsync();

        var result = await CliProcess.RunAsync(fixture.Server.Address, "themes", "--survey", survey);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Comments: 306 from promoters, 40 from detractors", result.Stdout);
        Assert.Contains("Promoter themes", result.Stdout);
        Assert.Contains("Detractor themes", result.Stdout);
    }

    [Fact]
    public async Task CommentsSearch_Japanese_FindsWholeComment()
    {
        string survey = await SetUpAsync();

        // The 'simple' parser keeps a run of Japanese text as one word, so the Latin words beside it are searched.
        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "comments", "search", "sticky note", "--survey", survey, "--category", "detractor", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseJson<SearchCommentsResponse>();
        var match = Assert.Single(response.Matches, m => m.Comment.Contains("書いている", StringComparison.Ordinal));
        Assert.Equal(5, match.Score);
        Assert.Equal(NpsCategory.Detractor, match.Category);
    }

    [Fact]
    public async Task CommentsSearch_Russian_PagesThroughMatches()
    {
        string survey = await SetUpAsync();

        var first = await CliProcess.RunAsync(fixture.Server.Address, "comments", "search", "mindmap", "--survey", survey, "--page-size", "1");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("«mindmap»", first.Stdout);
        Assert.Contains("Next page: --page-token ", first.Stdout);
    }

    [Fact]
    public async Task CommentsSearch_BadCategory_UsageError()
    {
        var result = await CliProcess.RunAsync(fixture.Server.Address, "comments", "search", "x", "--survey", "s", "--category", "fan");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--category 'fan' is invalid", result.Stderr);
    }

    [Fact]
    public async Task Personas_Miro_ProfilesSegments()
    {
        string survey = await SetUpAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "personas", "--survey", survey, "--customer-attribute", "segment", "--json");

        // A user may be in several segments. Free has 354 responses with NPS 61.86, and HighTouch 39 with 46.15.
        Assert.True(result.ExitCode == 0, result.ToString());
        var response = result.ParseJson<GetPersonasResponse>();
        Assert.Equal(441, response.Overall.ResponseCount);
        Assert.Equal(306, response.Promoters.CategoryCount);
        Assert.Equal(40, response.Detractors.CategoryCount);
        Assert.True(response.Detractors.InsufficientSample is false, response.Detractors.Note);
        var free = Assert.Single(response.Promoters.Values, v => v.Attribute.Value == "Free");
        Assert.Equal(354, free.ResponseCount);
        Assert.Equal(61.86, Math.Round(free.Nps, 2));
        Assert.Equal((double)free.CategoryCount / 306 / (354.0 / 441), free.Lift, 12);
        var highTouch = Assert.Single(response.Promoters.Values, v => v.Attribute.Value == "HighTouch");
        Assert.Equal(39, highTouch.ResponseCount);
        Assert.Equal(46.15, Math.Round(highTouch.Nps, 2));
    }

    [Fact]
    public async Task Personas_Combinations_TableListsSegments()
    {
        string survey = await SetUpAsync();

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "personas", "--survey", survey, "--combinations", "--customer-attribute", "segment", "--max-size", "1");

        // Free has 354 responses and HighTouch 39, so both reach the default support of 30.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Responses: 441, NPS 60.3", result.Stdout);
        Assert.Contains("3 combinations with enough responses; 0 left out under --min-support.", result.Stdout);
        Assert.Contains("customer segment=Free", result.Stdout);
        Assert.Contains("customer segment=HighTouch", result.Stdout);
    }

    [Fact]
    public async Task Personas_CombinationsWithoutAttributes_UsageError()
    {
        var result = await CliProcess.RunAsync(fixture.Server.Address, "personas", "--survey", "s", "--combinations");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--combinations needs the attributes to combine", result.Stderr);
    }

    private async Task<string> SetUpAsync()
    {
        await SetupLock.WaitAsync();
        try
        {
            if (_survey is null)
            {
                string survey = await fixture.Server.CreateSurveyAsync("miro-insight");
                var ingest = await CliProcess.RunAsync(
                    fixture.Server.Address,
                    "ingest", TestFiles.SharedData("miro-nps/nps.csv"),
                    "--survey", survey,
                    "--customer-id", "user_id",
                    "--score", "NPS_Score",
                    "--comment", "text",
                    "--responded-at", "2020-07-01T00:00:00Z");
                Assert.True(ingest.ExitCode == 0, ingest.ToString());

                // Customers are shared by every survey on the server; this upserts the same values as the other Miro
                // tests. The file has one row with a blank id, so the exit code is 1.
                var segments = await CliProcess.RunAsync(
                    fixture.Server.Address,
                    "customers", TestFiles.SharedData("miro-nps/segments.csv"), "--customer-id", "user_id", "--attribute", "segment=segment");
                Assert.True(segments.ExitCode == 1, segments.ToString());
                _survey = survey;
            }

            return _survey;
        }
        finally
        {
            SetupLock.Release();
        }
    }
}

using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Insights;

[Collection(ServerCollection.Name)]
public sealed class CommentThemeTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private static List<InsightRow> BuildRows()
    {
        string prefix = InsightData.UniquePrefix();
        string[] promoterComments =
        [
            "Great support, the team answered within minutes",
            "great support and lovely templates",
            "Love the templates. Great support!",
            "とても使いやすい",
            "Очень удобно, спасибо",
        ];
        string[] detractorComments =
        [
            "The app crashes on export",
            "Too slow, crashes every day",
            "crashes when I paste images; too slow",
            "使いにくい",
            "Очень медленно",
        ];
        var rows = new List<InsightRow>();
        for (int i = 0; i < 30; i++)
        {
            string comment = i % 2 == 0 ? promoterComments[i / 2 % 5] : detractorComments[i / 2 % 5];
            int score = i % 2 == 0 ? 10 : 2;
            rows.Add(new InsightRow($"r{i}", $"{prefix}-{i}", score, i, "pro", "web", ["eu"], comment));
        }

        // Passives and responses without a comment are not counted.
        rows.Add(new InsightRow("passive", $"{prefix}-p", 8, 40, "pro", "web", ["eu"], "crashes crashes crashes"));
        rows.Add(new InsightRow("blank", $"{prefix}-b", 10, 41, "pro", "web", ["eu"], "   "));
        rows.Add(new InsightRow("none", $"{prefix}-n", 10, 42, "pro", "web", ["eu"]));
        return rows;
    }

    private static int Occurrences(IEnumerable<InsightRow> rows, string word) =>
        rows.Sum(r => r.Comment!.Split([' ', ',', '.', ';', '!'], StringSplitOptions.RemoveEmptyEntries)
            .Count(w => string.Equals(w, word, StringComparison.OrdinalIgnoreCase)));

    [Fact]
    public async Task GetThemes_ConstructedComments_SeparatesSides()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);
        var commented = rows.Where(r => !string.IsNullOrWhiteSpace(r.Comment)).ToList();
        var promoters = commented.Where(r => r.IsPromoter).ToList();
        var detractors = commented.Where(r => r.IsDetractor).ToList();

        var response = await InsightData.Client(Server).GetCommentThemesAsync(new GetCommentThemesRequest { SurveyId = surveyId, TopK = 50 });

        Assert.Equal(promoters.Count, response.PromoterCommentCount);
        Assert.Equal(detractors.Count, response.DetractorCommentCount);
        var crashes = Assert.Single(response.DetractorThemes, t => t.Term == "crashes");
        Assert.Equal(Occurrences(detractors, "crashes"), crashes.DetractorCount);
        Assert.Equal(0, crashes.PromoterCount);
        Assert.True(crashes.ZScore < 0);
        Assert.True(crashes.LogOddsRatio < 0);
        Assert.Equal("crashes", response.DetractorThemes[0].Term);
        var phrase = Assert.Single(response.PromoterThemes, t => t.Term == "great support");
        Assert.True(phrase.Phrase);
        Assert.Equal(9, phrase.PromoterCount);
        Assert.Contains(response.PromoterThemes, t => t.Term == "やす");
        Assert.Contains(response.PromoterThemes, t => t.Term == "удобно");
        Assert.Contains(response.DetractorThemes, t => t.Term == "медленно");
        Assert.Contains(response.DetractorThemes, t => t.Term == "every day");
        Assert.DoesNotContain(response.PromoterThemes.Concat(response.DetractorThemes), t => t.Term is "the" or "too" or "on");
    }

    [Fact]
    public async Task GetThemes_MinCount_DropsRareTerms()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var response = await InsightData.Client(Server).GetCommentThemesAsync(
            new GetCommentThemesRequest { SurveyId = surveyId, TopK = 200, MinCount = 7 });

        var all = response.PromoterThemes.Concat(response.DetractorThemes).ToList();
        Assert.All(all, t => Assert.True(t.PromoterCount + t.DetractorCount >= 7, t.Term));
        Assert.Contains(all, t => t.Term == "crashes");
        Assert.DoesNotContain(all, t => t.Term == "export");
    }
}

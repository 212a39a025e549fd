using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Insights;

[Collection(ServerCollection.Name)]
public sealed class CommentSearchTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    /// <summary>25 comments that mention the board, one a minute, with scores cycling 0 to 10, and a few others.</summary>
    private static List<InsightRow> BuildRows()
    {
        string prefix = InsightData.UniquePrefix();
        var rows = new List<InsightRow>();
        for (int i = 0; i < 25; i++)
        {
            string channel = i % 3 == 0 ? "app" : "web";
            rows.Add(new InsightRow($"r{i:D2}", $"{prefix}-{i}", i % 11, i, "pro", channel, ["eu"], $"The board number {i} was slow to load"));
        }

        rows.Add(new InsightRow("other", $"{prefix}-o", 10, 30, "pro", "web", ["eu"], "Lovely templates"));
        rows.Add(new InsightRow("russian", $"{prefix}-ru", 9, 31, "pro", "web", ["eu"], "Сделайте больше инструментов для доски"));
        rows.Add(new InsightRow("none", $"{prefix}-n", 3, 32, "pro", "web", ["eu"]));
        return rows;
    }

    private static async Task<List<CommentMatch>> ReadAllPagesAsync(InsightService.InsightServiceClient client, SearchCommentsRequest request)
    {
        var matches = new List<CommentMatch>();
        do
        {
            var page = await client.SearchCommentsAsync(request);
            Assert.True(page.Matches.Count <= (request.PageSize == 0 ? 50 : request.PageSize));
            matches.AddRange(page.Matches);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return matches;
    }

    [Fact]
    public async Task SearchComments_Paging_ReturnsEveryMatchOnce()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var matches = await ReadAllPagesAsync(
            InsightData.Client(Server), new SearchCommentsRequest { SurveyId = surveyId, Query = "BOARD slow", PageSize = 4 });

        var expected = rows.Where(r => r.Comment?.Contains("board", StringComparison.OrdinalIgnoreCase) == true && r.Comment.Contains("slow"))
            .OrderByDescending(r => r.Minute).Select(r => r.Id).ToList();
        Assert.Equal(25, expected.Count);
        Assert.Equal(expected, matches.Select(m => m.ResponseId));
        var first = matches[0];
        var row = rows.Single(r => r.Id == first.ResponseId);
        Assert.Equal(row.CustomerId, first.CustomerId);
        Assert.Equal(row.Score, first.Score);
        Assert.Equal(row.Comment, first.Comment);
        Assert.Equal(TestResponses.BaseTime.AddMinutes(row.Minute), first.RespondedAt.ToDateTime());
        Assert.Contains("«board»", first.Snippet);
        Assert.Contains("«slow»", first.Snippet);
    }

    [Fact]
    public async Task SearchComments_CategoryFilter_KeepsCategory()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var matches = await ReadAllPagesAsync(InsightData.Client(Server), new SearchCommentsRequest
        {
            SurveyId = surveyId,
            Query = "board",
            Categories = { NpsCategory.Promoter, NpsCategory.Passive },
        });

        var expected = rows.Where(r => r.Comment?.Contains("board") == true && r.Score >= 7).Select(r => r.Id).Order().ToList();
        Assert.Equal(expected, matches.Select(m => m.ResponseId).Order());
        Assert.All(matches, m => Assert.Equal(m.Score >= 9 ? NpsCategory.Promoter : NpsCategory.Passive, m.Category));
    }

    [Fact]
    public async Task SearchComments_RangeAndAttributeFilter_Applied()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var matches = await ReadAllPagesAsync(InsightData.Client(Server), new SearchCommentsRequest
        {
            SurveyId = surveyId,
            Query = "board",
            StartTime = Timestamp.FromDateTime(TestResponses.BaseTime.AddMinutes(5)),
            EndTime = Timestamp.FromDateTime(TestResponses.BaseTime.AddMinutes(20)),
            Filters = { new AttributeCondition { Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Equals, Values = { "app" } } },
            PageSize = 2,
        });

        var expected = rows.Where(r => r.Comment?.Contains("board") == true && r.Minute is >= 5 and < 20 && r.Channel == "app")
            .OrderByDescending(r => r.Minute).Select(r => r.Id).ToList();
        Assert.Equal(["r18", "r15", "r12", "r09", "r06"], expected);
        Assert.Equal(expected, matches.Select(m => m.ResponseId));
    }

    [Fact]
    public async Task SearchComments_CustomerFilter_Applied()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var matches = await ReadAllPagesAsync(InsightData.Client(Server), new SearchCommentsRequest
        {
            SurveyId = surveyId,
            Query = "board",
            Filters = { new AttributeCondition { Key = "region", Scope = AttributeScope.Customer, Operator = ConditionOperator.Equals, Values = { "us" } } },
        });

        Assert.Empty(matches);
    }

    [Fact]
    public async Task SearchComments_Russian_MatchesLowerCasedWord()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var page = await InsightData.Client(Server).SearchCommentsAsync(new SearchCommentsRequest { SurveyId = surveyId, Query = "СДЕЛАЙТЕ" });

        var match = Assert.Single(page.Matches);
        Assert.Equal("russian", match.ResponseId);
        Assert.Contains("«Сделайте»", match.Snippet);
        Assert.Empty(page.NextPageToken);
    }
}

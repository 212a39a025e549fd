using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests;

/// <summary>Builders and readers shared by the follow-up tests.</summary>
internal static class FollowUpKit
{
    public static FollowUpService.FollowUpServiceClient Client(ServerFixture fixture) => new(fixture.Server.Channel);

    public static SurveyResponse Response(string id, string customerId, int score, int minutesAfterBase, string? comment = null)
    {
        var response = TestResponses.Make(id, score, minutesAfterBase, customerId);
        if (comment is not null)
        {
            response.Comment = comment;
        }

        return response;
    }

    public static async Task SendAsync(ServerFixture fixture, string surveyId, params SurveyResponse[] responses)
    {
        var result = await TestResponses.StreamAsync(
            fixture.Server.Ingest, TestResponses.Batch(surveyId, $"b-{Guid.NewGuid():N}", responses));
        Assert.Equal(0, result[0].RejectedCount);
    }

    /// <summary>Reads every follow-up item of the survey, page by page.</summary>
    public static async Task<List<FollowUpItem>> AllFollowUpsAsync(
        FollowUpService.FollowUpServiceClient client, string surveyId, int pageSize = 1000)
    {
        var items = new List<FollowUpItem>();
        var request = new ListFollowUpsRequest { Filter = new OutreachFilter { SurveyId = surveyId }, PageSize = pageSize };
        do
        {
            var page = await client.ListFollowUpsAsync(request);
            items.AddRange(page.Items);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return items;
    }

    /// <summary>Reads every advocacy candidate of the survey.</summary>
    public static async Task<List<AdvocateItem>> AllAdvocatesAsync(FollowUpService.FollowUpServiceClient client, string surveyId)
    {
        var page = await client.ListAdvocatesAsync(new ListAdvocatesRequest
        {
            Filter = new OutreachFilter { SurveyId = surveyId },
            PageSize = 1000,
        });
        Assert.Empty(page.NextPageToken);
        return page.Items.ToList();
    }

    public static Timestamp At(int minutesAfterBase) => Timestamp.FromDateTime(TestResponses.BaseTime.AddMinutes(minutesAfterBase));
}

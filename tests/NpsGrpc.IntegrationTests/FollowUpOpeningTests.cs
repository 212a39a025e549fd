using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.FollowUpKit;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class FollowUpOpeningTests(ServerFixture fixture)
{
    [Fact]
    public async Task Ingest_Detractors_OpenFollowUps()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("fu");
        var responses = Enumerable.Range(0, 44)
            .Select(i => Response($"r{i:D2}", $"c{i}", i % 11, i, CommentFor(i, "a comment")))
            .ToArray();
        await SendAsync(fixture, surveyId, responses);

        var items = await AllFollowUpsAsync(Client(fixture), surveyId);

        var expected = responses.Where(r => r.Score <= 6).Select(r => r.ResponseId).Order().ToList();
        Assert.Equal(expected, items.Select(i => i.Response.ResponseId).Order().ToList());
        Assert.All(items, i => Assert.Equal(OutreachReason.Detractor, i.Reason));
        Assert.All(items, i => Assert.Equal(FollowUpStatus.Open, i.Status));
        Assert.All(items, i => Assert.Equal(1, i.Version));
        Assert.All(items, i => Assert.False(i.Response.HasPreviousScore));
        var first = items.Single(i => i.Response.ResponseId == "r00");
        Assert.Equal("c0", first.Response.CustomerId);
        Assert.Equal("a comment", first.Response.Comment);
        Assert.Equal(At(0), first.Response.RespondedAt);
    }

    [Fact]
    public async Task Ingest_PromotersWithComment_BecomeAdvocates()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("adv");
        var responses = Enumerable.Range(0, 44)
            .Select(i => Response($"r{i:D2}", $"c{i}", i % 11, i, CommentFor(i, "great service")))
            .ToArray();
        await SendAsync(fixture, surveyId, responses);

        var items = await AllAdvocatesAsync(Client(fixture), surveyId);

        var expected = responses.Where(r => r.Score >= 9 && r.Comment.Trim().Length > 0).Select(r => r.ResponseId).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, items.Select(i => i.Response.ResponseId).Order().ToList());
        Assert.All(items, i => Assert.Equal(AdvocateStatus.Candidate, i.Status));
        Assert.All(items, i => Assert.Equal("great service", i.Response.Comment));
    }

    [Fact]
    public async Task Ingest_ScoreDrop_OpensOnlyForLatest()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("drop");
        await SendAsync(
            fixture,
            surveyId,
            Response("a1", "drop", 10, 0),
            Response("b1", "small", 9, 0),
            Response("c1", "late", 10, 0),
            Response("c3", "late", 10, 20),
            Response("d1", "same-batch", 9, 0),
            Response("d2", "same-batch", 6, 10));

        // Second batch: a 3-point drop to a passive score, a 1-point drop, and a late response older than the
        // customer's latest that is 3 points under the response before it.
        await SendAsync(fixture, surveyId, Response("a2", "drop", 7, 10), Response("b2", "small", 8, 10), Response("c2", "late", 7, 10));

        var items = await AllFollowUpsAsync(Client(fixture), surveyId);

        Assert.Equal(["a2", "d2"], items.Select(i => i.Response.ResponseId).Order().ToArray());
        var drop = items.Single(i => i.Response.ResponseId == "a2");
        Assert.Equal(OutreachReason.ScoreDrop, drop.Reason);
        Assert.Equal(10, drop.Response.PreviousScore);
        Assert.Equal(7, drop.Response.Score);
        var detractor = items.Single(i => i.Response.ResponseId == "d2");
        Assert.Equal(OutreachReason.Detractor, detractor.Reason);
        Assert.Equal(9, detractor.Response.PreviousScore);
    }

    [Fact]
    public async Task Ingest_LateOlderDetractor_NotScoreDrop()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("late");
        await SendAsync(fixture, surveyId, Response("new", "c", 10, 30));

        await SendAsync(fixture, surveyId, Response("old", "c", 2, 0));

        var item = Assert.Single(await AllFollowUpsAsync(Client(fixture), surveyId));
        Assert.Equal("old", item.Response.ResponseId);
        Assert.Equal(OutreachReason.Detractor, item.Reason);
        Assert.False(item.Response.HasPreviousScore);
    }

    [Fact]
    public async Task Ingest_RetriedBatch_OpensNothingNew()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("retry");
        var first = Enumerable.Range(0, 30).Select(i => Response($"r{i:D2}", $"c{i}", i % 11, i, "note")).ToArray();
        await SendAsync(fixture, surveyId, first);
        var client = Client(fixture);
        var followUps = await AllFollowUpsAsync(client, surveyId);
        var advocates = await AllAdvocatesAsync(client, surveyId);

        await SendAsync(fixture, surveyId, first);
        var overlapping = first.Take(10).Concat([Response("extra", "c-extra", 3, 40)]).ToArray();
        await SendAsync(fixture, surveyId, overlapping);

        var followUpsAfter = await AllFollowUpsAsync(client, surveyId);
        Assert.Equal(first.Count(r => r.Score <= 6) + 1, followUpsAfter.Count);
        Assert.Equal(followUps.Select(i => i.ItemId), followUpsAfter.Select(i => i.ItemId).Take(followUps.Count));
        Assert.Equal("extra", followUpsAfter[^1].Response.ResponseId);
        Assert.Equal(advocates.Select(i => i.ItemId), (await AllAdvocatesAsync(client, surveyId)).Select(i => i.ItemId));
    }

    // Every third response has the comment, every third a blank one, and the rest none.
    private static string? CommentFor(int index, string comment) => (index % 3) switch
    {
        0 => comment,
        1 => " \t ",
        _ => null,
    };
}

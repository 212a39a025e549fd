using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.FollowUpKit;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class FollowUpListUpdateTests(ServerFixture fixture)
{
    [Fact]
    public async Task ListFollowUps_Paging_ReturnsEachOnce()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("page");
        var responses = Enumerable.Range(0, 23).Select(i => Response($"r{i:D2}", $"c{i}", i % 5, i)).ToArray();
        await SendAsync(fixture, surveyId, responses);

        var items = await AllFollowUpsAsync(Client(fixture), surveyId, pageSize: 4);

        Assert.Equal(responses.Select(r => r.ResponseId).Order(), items.Select(i => i.Response.ResponseId).Order());
        Assert.Equal(items.Count, items.Select(i => i.ItemId).Distinct().Count());
        Assert.Equal(items.Select(i => i.ItemId).Order(), items.Select(i => i.ItemId));
    }

    [Fact]
    public async Task ListFollowUps_Filters_SelectMatching()
    {
        var client = Client(fixture);
        string surveyId = await fixture.Server.CreateSurveyAsync("filter");
        string otherSurveyId = await fixture.Server.CreateSurveyAsync("filter");
        await SendAsync(fixture, otherSurveyId, Response("x", "cx", 0, 0));
        await SendAsync(fixture, surveyId, Response("p1", "drop", 10, 0), Response("d1", "c1", 1, 5), Response("d2", "c2", 2, 15),
            Response("d3", "c3", 3, 25));
        await SendAsync(fixture, surveyId, Response("p2", "drop", 7, 20));
        var all = await AllFollowUpsAsync(client, surveyId);
        var d1 = all.Single(i => i.Response.ResponseId == "d1");
        var d2 = all.Single(i => i.Response.ResponseId == "d2");
        await client.UpdateFollowUpAsync(new UpdateFollowUpRequest
        {
            ItemId = d1.ItemId, Version = d1.Version, Status = FollowUpStatus.Contacted, Owner = "ana",
        });
        // Owners are stored without surrounding whitespace, so a blank owner leaves an item unassigned.
        var blank = all.Single(i => i.Response.ResponseId == "p2");
        await client.UpdateFollowUpAsync(new UpdateFollowUpRequest { ItemId = d2.ItemId, Version = d2.Version, Owner = " ben  " });
        await client.UpdateFollowUpAsync(new UpdateFollowUpRequest { ItemId = blank.ItemId, Version = blank.Version, Owner = "   " });

        async Task<string[]> IdsAsync(ListFollowUpsRequest request)
        {
            request.Filter ??= new OutreachFilter();
            request.Filter.SurveyId = surveyId;
            var page = await client.ListFollowUpsAsync(request);
            return page.Items.Select(i => i.Response.ResponseId).Order().ToArray();
        }

        Assert.Equal(["d1", "d2", "d3", "p2"], await IdsAsync(new ListFollowUpsRequest()));
        Assert.Equal(["d1"], await IdsAsync(new ListFollowUpsRequest { Statuses = { FollowUpStatus.Contacted } }));
        Assert.Equal(["d2", "d3", "p2"], await IdsAsync(new ListFollowUpsRequest { Statuses = { FollowUpStatus.Open } }));
        Assert.Equal(["p2"], await IdsAsync(new ListFollowUpsRequest { Reasons = { OutreachReason.ScoreDrop } }));
        Assert.Equal(["d1", "d2", "d3"], await IdsAsync(new ListFollowUpsRequest { Reasons = { OutreachReason.Detractor } }));
        Assert.Equal(["d2"], await IdsAsync(new ListFollowUpsRequest { Filter = new OutreachFilter { Owner = "ben" } }));
        Assert.Equal(["d3", "p2"], await IdsAsync(new ListFollowUpsRequest { Filter = new OutreachFilter { Owner = "" } }));
        Assert.Equal(["d2", "p2"], await IdsAsync(new ListFollowUpsRequest
        {
            Filter = new OutreachFilter { RespondedAfter = At(10), RespondedBefore = At(25) },
        }));

        // Without a survey condition the owner condition alone selects items of both surveys.
        string owner = $"owner-{Guid.NewGuid():N}";
        var other = Assert.Single(await AllFollowUpsAsync(client, otherSurveyId));
        var d3 = all.Single(i => i.Response.ResponseId == "d3");
        await client.UpdateFollowUpAsync(new UpdateFollowUpRequest { ItemId = other.ItemId, Version = other.Version, Owner = owner });
        await client.UpdateFollowUpAsync(new UpdateFollowUpRequest { ItemId = d3.ItemId, Version = d3.Version, Owner = owner });
        var byOwner = await client.ListFollowUpsAsync(new ListFollowUpsRequest { Filter = new OutreachFilter { Owner = owner } });
        Assert.Equal(
            new[] { (surveyId, "d3"), (otherSurveyId, "x") },
            byOwner.Items.Select(i => (i.Response.SurveyId, i.Response.ResponseId)).OrderBy(p => p.ResponseId == "x").ToArray());
    }

    [Fact]
    public async Task UpdateFollowUp_Transitions_FollowRules()
    {
        var client = Client(fixture);
        string surveyId = await fixture.Server.CreateSurveyAsync("move");
        await SendAsync(fixture, surveyId, Response("d", "c", 0, 0));
        var item = Assert.Single(await AllFollowUpsAsync(client, surveyId));

        var contacted = (await client.UpdateFollowUpAsync(new UpdateFollowUpRequest
        {
            ItemId = item.ItemId, Version = 1, Status = FollowUpStatus.Contacted, Owner = "ana", Note = "called, left a message",
        })).Item;
        Assert.Equal(FollowUpStatus.Contacted, contacted.Status);
        Assert.Equal(2, contacted.Version);
        Assert.Equal("ana", contacted.Owner);
        Assert.Equal("called, left a message", contacted.Note);
        Assert.True(contacted.StatusTime.ToDateTime() >= item.StatusTime.ToDateTime());

        var back = await Assert.ThrowsAsync<RpcException>(async () => await client.UpdateFollowUpAsync(
            new UpdateFollowUpRequest { ItemId = item.ItemId, Version = 2, Status = FollowUpStatus.Open }));
        Assert.Equal(StatusCode.FailedPrecondition, back.StatusCode);

        var noteOnly = (await client.UpdateFollowUpAsync(new UpdateFollowUpRequest { ItemId = item.ItemId, Version = 2, Note = "" })).Item;
        Assert.Equal(FollowUpStatus.Contacted, noteOnly.Status);
        Assert.Equal("ana", noteOnly.Owner);
        Assert.Equal("", noteOnly.Note);
        Assert.Equal(contacted.StatusTime, noteOnly.StatusTime);

        var resolved = (await client.UpdateFollowUpAsync(
            new UpdateFollowUpRequest { ItemId = item.ItemId, Version = 3, Status = FollowUpStatus.Resolved })).Item;
        var reopened = (await client.UpdateFollowUpAsync(
            new UpdateFollowUpRequest { ItemId = item.ItemId, Version = resolved.Version, Status = FollowUpStatus.Open })).Item;
        Assert.Equal(FollowUpStatus.Open, reopened.Status);
        Assert.Equal(5, reopened.Version);
    }

    [Fact]
    public async Task UpdateFollowUp_StaleVersion_Aborted()
    {
        var client = Client(fixture);
        string surveyId = await fixture.Server.CreateSurveyAsync("stale");
        await SendAsync(fixture, surveyId, Response("d", "c", 0, 0));
        var item = Assert.Single(await AllFollowUpsAsync(client, surveyId));
        await client.UpdateFollowUpAsync(new UpdateFollowUpRequest { ItemId = item.ItemId, Version = 1, Owner = "ana" });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.UpdateFollowUpAsync(
            new UpdateFollowUpRequest { ItemId = item.ItemId, Version = 1, Owner = "ben" }));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        var stored = Assert.Single(await AllFollowUpsAsync(client, surveyId));
        Assert.Equal("ana", stored.Owner);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task UpdateFollowUp_ConcurrentSameVersion_OneWins()
    {
        var client = Client(fixture);
        string surveyId = await fixture.Server.CreateSurveyAsync("race");
        await SendAsync(fixture, surveyId, Response("d", "c", 0, 0));
        var item = Assert.Single(await AllFollowUpsAsync(client, surveyId));

        var attempts = Enumerable.Range(0, 8).Select(async agent =>
        {
            try
            {
                await client.UpdateFollowUpAsync(new UpdateFollowUpRequest { ItemId = item.ItemId, Version = 1, Owner = $"agent-{agent}" });
                return StatusCode.OK;
            }
            catch (RpcException exception)
            {
                return exception.StatusCode;
            }
        }).ToList();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(1, outcomes.Count(o => o == StatusCode.OK));
        Assert.Equal(7, outcomes.Count(o => o == StatusCode.Aborted));
        var stored = Assert.Single(await AllFollowUpsAsync(client, surveyId));
        Assert.Equal(2, stored.Version);
        Assert.Equal($"agent-{Array.IndexOf(outcomes, StatusCode.OK)}", stored.Owner);
    }

    [Fact]
    public async Task UpdateFollowUp_UnknownItem_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client(fixture).UpdateFollowUpAsync(
            new UpdateFollowUpRequest { ItemId = long.MaxValue, Version = 1, Status = FollowUpStatus.Resolved }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task UpdateAdvocate_Transitions_FollowRules()
    {
        var client = Client(fixture);
        string surveyId = await fixture.Server.CreateSurveyAsync("advmove");
        await SendAsync(fixture, surveyId, Response("p", "c", 10, 0, "love it"), Response("d", "c2", 0, 0, "bad"));
        var candidate = Assert.Single(await AllAdvocatesAsync(client, surveyId));
        var followUp = Assert.Single(await AllFollowUpsAsync(client, surveyId));

        var wrongKind = await Assert.ThrowsAsync<RpcException>(async () => await client.UpdateAdvocateAsync(
            new UpdateAdvocateRequest { ItemId = followUp.ItemId, Version = 1, Status = AdvocateStatus.Requested }));
        Assert.Equal(StatusCode.NotFound, wrongKind.StatusCode);

        var skip = await Assert.ThrowsAsync<RpcException>(async () => await client.UpdateAdvocateAsync(
            new UpdateAdvocateRequest { ItemId = candidate.ItemId, Version = 1, Status = AdvocateStatus.Done }));
        Assert.Equal(StatusCode.FailedPrecondition, skip.StatusCode);

        long version = 1;
        foreach (var status in new[] { AdvocateStatus.Requested, AdvocateStatus.Agreed, AdvocateStatus.Done })
        {
            var updated = (await client.UpdateAdvocateAsync(
                new UpdateAdvocateRequest { ItemId = candidate.ItemId, Version = version, Status = status, Owner = "marketing" })).Item;
            Assert.Equal(status, updated.Status);
            version = updated.Version;
        }

        var final = await Assert.ThrowsAsync<RpcException>(async () => await client.UpdateAdvocateAsync(
            new UpdateAdvocateRequest { ItemId = candidate.ItemId, Version = version, Status = AdvocateStatus.Declined }));
        Assert.Equal(StatusCode.FailedPrecondition, final.StatusCode);
        var listed = await client.ListAdvocatesAsync(new ListAdvocatesRequest
        {
            Filter = new OutreachFilter { SurveyId = surveyId, Owner = "marketing" },
            Statuses = { AdvocateStatus.Done },
        });
        Assert.Equal(candidate.ItemId, Assert.Single(listed.Items).ItemId);
    }
}

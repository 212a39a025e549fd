using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>The 'nps followups' and 'nps advocates' commands against a real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class FollowUpCommandTests(ServerFixture fixture)
{
    [Fact]
    public async Task FollowUps_ListThenUpdate_ShowsChange()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("clifu");
        await IngestAsync(surveyId, ("d1", 2, ""), ("p1", 10, "superb support"), ("n1", 8, ""));
        var client = new FollowUpService.FollowUpServiceClient(fixture.Server.Channel);
        var item = (await client.ListFollowUpsAsync(new ListFollowUpsRequest { Filter = new OutreachFilter { SurveyId = surveyId } }))
            .Items.Single();

        var list = await CliProcess.RunAsync(fixture.Server.Address, "followups", "list", "--survey", surveyId, "--status", "open");
        var update = await CliProcess.RunAsync(
            fixture.Server.Address, "followups", "update", item.ItemId.ToString(), "--version", "1", "--set-status", "contacted",
            "--set-owner", "ana");
        var stale = await CliProcess.RunAsync(
            fixture.Server.Address, "followups", "update", item.ItemId.ToString(), "--version", "1", "--set-note", "late");
        var advocates = await CliProcess.RunAsync(fixture.Server.Address, "advocates", "list", "--survey", surveyId, "--json");

        Assert.Equal(0, list.ExitCode);
        Assert.Contains("c-d1", list.Stdout);
        Assert.DoesNotContain("c-n1", list.Stdout);
        Assert.Equal(0, update.ExitCode);
        Assert.Contains($"Follow-up item {item.ItemId} is contacted, version 2.", update.Stdout);
        Assert.Equal(3, stale.ExitCode);
        Assert.Contains("Aborted", stale.Stderr);
        Assert.Equal(0, advocates.ExitCode);
        Assert.Contains("superb support", advocates.Stdout);
    }

    [Fact]
    public async Task FollowUps_UnknownStatus_ExitsWithTwo()
    {
        var result = await CliProcess.RunAsync(fixture.Server.Address, "followups", "list", "--status", "closed");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--status 'closed' is not valid", result.Stderr);
    }

    private async Task IngestAsync(string surveyId, params (string Id, int Score, string Comment)[] responses)
    {
        var request = new StreamResponsesRequest { SurveyId = surveyId, BatchId = "b1" };
        foreach (var (id, score, comment) in responses)
        {
            request.Responses.Add(new SurveyResponse
            {
                ResponseId = id,
                CustomerId = $"c-{id}",
                Score = score,
                Comment = comment,
                RespondedAt = Timestamp.FromDateTime(new DateTime(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc)),
            });
        }

        using var call = fixture.Server.Ingest.StreamResponses();
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(responses.Length, call.ResponseStream.Current.Result.AcceptedCount);
        await call.RequestStream.CompleteAsync();
    }
}

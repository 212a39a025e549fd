using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>The 'nps goals' commands against a real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class GoalCommandTests(ServerFixture fixture)
{
    [Fact]
    public async Task Goals_SetProgressDelete_ShowsState()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("cligoal");
        var respondedAt = DateTime.UtcNow.AddDays(-1);
        var request = new StreamResponsesRequest { SurveyId = surveyId, BatchId = "b1" };
        int[] scores = [10, 9, 10, 8, 7, 5, 6, 9, 10];
        for (int i = 0; i < scores.Length; i++)
        {
            request.Responses.Add(new SurveyResponse
            {
                ResponseId = $"r{i}", CustomerId = $"c{i}", Score = scores[i],
                RespondedAt = Timestamp.FromDateTime(respondedAt.AddSeconds(i)),
            });
        }

        using (var call = fixture.Server.Ingest.StreamResponses())
        {
            await call.RequestStream.WriteAsync(request);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await call.RequestStream.CompleteAsync();
        }

        string goalId = $"g-{Guid.NewGuid():N}";
        string from = DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-dd");
        string to = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd");

        var set = await CliProcess.RunAsync(
            fixture.Server.Address, "goals", "set", goalId, "--survey", surveyId, "--target", "30", "--from", from, "--to", to);
        var progress = await CliProcess.RunAsync(fixture.Server.Address, "goals", "progress", goalId);
        var list = await CliProcess.RunAsync(fixture.Server.Address, "goals", "list", "--survey", surveyId);
        var delete = await CliProcess.RunAsync(fixture.Server.Address, "goals", "delete", goalId);
        var afterDelete = await CliProcess.RunAsync(fixture.Server.Address, "goals", "progress", goalId);

        Assert.Equal(0, set.ExitCode);
        Assert.Contains($"Created goal {goalId}.", set.Stdout);
        Assert.Equal(0, progress.ExitCode);
        Assert.Contains("state: undecided", progress.Stdout);
        Assert.Contains("responses: 9 until", progress.Stdout);
        Assert.Contains("nps: 33.3", progress.Stdout);
        Assert.Contains(goalId, list.Stdout);
        Assert.Equal(0, delete.ExitCode);
        Assert.Equal(3, afterDelete.ExitCode);
        Assert.Contains("NotFound", afterDelete.Stderr);
    }
}

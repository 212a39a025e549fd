using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.Faults.FaultBatches;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>Kills a server process under running ingest streams and lets the clients finish against a new one.</summary>
public sealed class ServerKillTests
{
    private const int BatchSize = 200;

    [Fact]
    public async Task ServerKilled_MidStream_ExactlyOnce()
    {
        await using var database = await TestDatabase.CreateAsync("nps_kill");
        string address = $"http://127.0.0.1:{ServerProcessStart.FreeLoopbackPort()}";
        string apiKey = await TestApiKeys.CreateInDatabaseAsync(database.ConnectionString);
        using var channel = TestApiKeys.OpenChannel(address, apiKey);
        var surveys = new SurveyService.SurveyServiceClient(channel);
        var ingest = new IngestService.IngestServiceClient(channel);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var first = await ServerProcess.StartAsync(database.ConnectionString, address, surveys);
        ServerProcess? second = null;
        try
        {
            string surveyId = "kill-" + Guid.NewGuid().ToString("N")[..12];
            await surveys.CreateSurveyAsync(new CreateSurveyRequest { Survey = new Survey { SurveyId = surveyId, DisplayName = "kill" } });

            // Paused clients keep their streams open across the kill. Free clients keep sending, so the kill may land
            // between a commit and its acknowledgement.
            var paused = Enumerable.Range(0, 2)
                .Select(i => new RetryingIngestClient(() => ingest, Make(surveyId, $"paused{i}", 30, BatchSize)) { PauseAfter = 10 })
                .ToList();
            var free = Enumerable.Range(0, 2)
                .Select(i => new RetryingIngestClient(() => ingest, Make(surveyId, $"free{i}", 80, BatchSize)))
                .ToList();
            var clients = paused.Concat(free).ToList();
            var running = clients.Select(c => c.RunAsync(timeout.Token)).ToList();

            await Task.WhenAll(paused.Select(c => c.Paused.Task)).WaitAsync(timeout.Token);
            await first.KillAsync();
            paused.ForEach(c => c.Resume.TrySetResult());
            await WaitUntilAsync(() => paused.All(c => c.Failures.Count > 0), "every paused client saw a failure", timeout.Token);

            second = await ServerProcess.StartAsync(database.ConnectionString, address, surveys);
            await Task.WhenAll(running);

            foreach (var client in clients)
            {
                Assert.All(client.Results.Values, r => Assert.Equal(BatchSize, r.AcceptedCount + r.DuplicateCount));
                Assert.All(client.Results.Values, r => Assert.Equal(0, r.RejectedCount));
            }

            await AssertStoredExactlyAsync(database.ConnectionString, surveyId, clients.SelectMany(c => c.Batches));
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }
}

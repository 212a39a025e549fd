using Grpc.Core;
using Grpc.Health.V1;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.Faults.FaultBatches;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>Stops and starts a test's own PostgreSQL cluster under a running server.</summary>
public sealed class DatabaseOutageTests
{
    private const int BatchSize = 200;

    [Fact]
    public async Task ClusterRestart_MidStream_ExactlyOnce()
    {
        await using var cluster = await PrivateCluster.StartAsync("fault");
        await using var server = await RunningServer.StartAsync(
            cluster.ConnectionString, new Dictionary<string, string?> { ["Health:CheckInterval"] = "00:00:01" });
        string surveyId = await server.CreateSurveyAsync("outage");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var statuses = new List<ServingStatus>();
        using var stopWatching = new CancellationTokenSource();
        var watching = WatchHealthAsync(new Health.HealthClient(server.Channel), statuses, stopWatching.Token);
        await WaitUntilAsync(() => Snapshot(statuses).Contains(ServingStatus.Serving), "health is SERVING", timeout.Token);

        // Paused clients keep their streams open across the stop, so some of their batches meet the outage. Free
        // clients keep sending, so one may be in the middle of a commit when the sessions are terminated.
        var paused = Enumerable.Range(0, 2)
            .Select(i => new RetryingIngestClient(() => server.Ingest, Make(surveyId, $"paused{i}", 30, BatchSize)) { PauseAfter = 10 })
            .ToList();
        var free = Enumerable.Range(0, 2)
            .Select(i => new RetryingIngestClient(() => server.Ingest, Make(surveyId, $"free{i}", 60, BatchSize)))
            .ToList();
        var clients = paused.Concat(free).ToList();
        var running = clients.Select(c => c.RunAsync(timeout.Token)).ToList();

        await Task.WhenAll(paused.Select(c => c.Paused.Task)).WaitAsync(timeout.Token);
        await cluster.StopAsync();
        paused.ForEach(c => c.Resume.TrySetResult());
        await WaitUntilAsync(
            () => Snapshot(statuses).Contains(ServingStatus.NotServing) && paused.All(c => c.Failures.Count > 0),
            "health is NOT_SERVING and every paused client saw a failure",
            timeout.Token,
            () => Describe(statuses, clients, running));

        await cluster.RestartAsync();
        await Task.WhenAll(running);
        await WaitUntilAsync(() => Snapshot(statuses)[^1] == ServingStatus.Serving, "health is SERVING again", timeout.Token);
        await stopWatching.CancelAsync();
        await watching;

        var seen = Snapshot(statuses);
        int down = seen.IndexOf(ServingStatus.NotServing);
        Assert.True(seen.IndexOf(ServingStatus.Serving) < down, $"statuses seen: {string.Join(", ", seen)}");
        Assert.Contains(ServingStatus.Serving, seen.Skip(down));

        foreach (var failure in clients.SelectMany(c => c.Failures))
        {
            Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
            Assert.Contains("database is unavailable", failure.Status.Detail, StringComparison.Ordinal);
        }

        foreach (var client in clients)
        {
            Assert.All(client.Results.Values, r => Assert.Equal(BatchSize, r.AcceptedCount + r.DuplicateCount));
            Assert.All(client.Results.Values, r => Assert.Equal(0, r.RejectedCount));
        }

        await AssertStoredExactlyAsync(cluster.ConnectionString, surveyId, clients.SelectMany(c => c.Batches));
    }

    [Fact]
    public async Task Query_DuringOutage_UnavailableThenRecovers()
    {
        await using var cluster = await PrivateCluster.StartAsync("fault");
        await using var server = await RunningServer.StartAsync(cluster.ConnectionString);
        string surveyId = await server.CreateSurveyAsync("outage");
        var sent = Make(surveyId, "q", 2, BatchSize);
        var loader = new RetryingIngestClient(() => server.Ingest, sent);
        await loader.RunAsync(CancellationToken.None);
        var request = new GetNpsRequest { SurveyIds = { surveyId } };
        var before = await server.Query.GetNpsAsync(request);

        await cluster.StopAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Query.GetNpsAsync(request, deadline: DateTime.UtcNow.AddMinutes(2)));
        await cluster.RestartAsync();
        var after = await server.Query.GetNpsAsync(request);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("database is unavailable", error.Status.Detail, StringComparison.Ordinal);
        var scores = sent.SelectMany(b => b.Responses).Select(r => r.Score).ToList();
        Assert.Equal(scores.Count, before.Overall.ResponseCount);
        Assert.Equal(scores.Count, after.Overall.ResponseCount);
        Assert.Equal(Nps(scores), after.Overall.Nps, 9);
    }

    private static string Describe(List<ServingStatus> statuses, List<RetryingIngestClient> clients, List<Task> running) =>
        $"Health statuses: {string.Join(", ", Snapshot(statuses))}. Clients: " + string.Join("; ", clients.Select((c, i) =>
            $"{c.Results.Count}/{c.Batches.Count} acknowledged, {c.Failures.Count} failures, task {running[i].Status} " +
            running[i].Exception?.InnerException?.Message));

    private static List<ServingStatus> Snapshot(List<ServingStatus> statuses)
    {
        lock (statuses)
        {
            return [.. statuses];
        }
    }
}

using Dapper;
using Grpc.Core;
using Npgsql;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.FollowUpKit;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class FollowUpSubscribeTests(ServerFixture fixture)
{
    // Guards every wait so that a broken stream fails the test instead of hanging it; no assertion depends on it.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Subscribe_Reconnect_NoGapNoRepeat()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("sub");
        var client = Client(fixture);
        await SendAsync(fixture, surveyId, Enumerable.Range(0, 10).Select(i => Response($"a{i}", $"c{i}", i % 4, i)).ToArray());

        var received = new List<SubscribeFollowUpsResponse>();
        using (var guard = new CancellationTokenSource(HangGuard))
        using (var call = client.SubscribeFollowUps(new SubscribeFollowUpsRequest { SurveyId = surveyId }, cancellationToken: guard.Token))
        {
            received.AddRange(await ReadAsync(call, 6, guard.Token));
        }

        // Batches ingested while no stream is open are delivered after the reconnect.
        await SendAsync(fixture, surveyId, Enumerable.Range(0, 10).Select(i => Response($"b{i}", $"d{i}", 5, i)).ToArray());
        using (var guard = new CancellationTokenSource(HangGuard))
        using (var call = client.SubscribeFollowUps(
                   new SubscribeFollowUpsRequest { SurveyId = surveyId, Cursor = received[^1].Cursor }, cancellationToken: guard.Token))
        {
            received.AddRange(await ReadAsync(call, 14, guard.Token));
        }

        var expected = Enumerable.Range(0, 10).Select(i => $"a{i}").Concat(Enumerable.Range(0, 10).Select(i => $"b{i}")).Order();
        Assert.Equal(expected, received.Select(r => r.Item.Response.ResponseId).Order());
        Assert.Equal(20, received.Select(r => r.Item.ItemId).Distinct().Count());
    }

    [Fact]
    public async Task Subscribe_ConcurrentBatches_EachOnce()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("subcon");
        var client = Client(fixture);
        const int Streams = 4;
        const int BatchesPerStream = 6;
        const int BatchSize = 40;
        var batches = Enumerable.Range(0, Streams).Select(stream => Enumerable.Range(0, BatchesPerStream)
            .Select(batch => TestResponses.Batch(surveyId, $"s{stream}-b{batch}", Enumerable.Range(0, BatchSize)
                .Select(i => Response($"s{stream}-b{batch}-{i}", $"s{stream}-c{i}", (stream + batch + i) % 11, batch * 100 + i))))
            .ToArray()).ToArray();
        var expected = batches.SelectMany(s => s).SelectMany(b => b.Responses)
            .Where(r => r.Score <= 6).Select(r => r.ResponseId).Order().ToList();

        var received = new List<SubscribeFollowUpsResponse>();
        using var guard = new CancellationTokenSource(HangGuard);
        var first = client.SubscribeFollowUps(new SubscribeFollowUpsRequest { SurveyId = surveyId }, cancellationToken: guard.Token);
        var ingest = Task.WhenAll(batches.Select(stream => TestResponses.StreamAsync(fixture.Server.Ingest, stream)));

        // Leave in the middle of the load and come back with the last cursor, while batches keep committing.
        received.AddRange(await ReadAsync(first, expected.Count / 3, guard.Token));
        first.Dispose();
        using var second = client.SubscribeFollowUps(
            new SubscribeFollowUpsRequest { SurveyId = surveyId, Cursor = received[^1].Cursor }, cancellationToken: guard.Token);
        received.AddRange(await ReadAsync(second, expected.Count - received.Count, guard.Token));
        await ingest;

        Assert.Equal(expected, received.Select(r => r.Item.Response.ResponseId).Order().ToList());
        Assert.Equal(received.Count, received.Select(r => r.Item.ItemId).Distinct().Count());
    }

    [Fact]
    public async Task Subscribe_LowerSequenceCommitsLate_NotSkipped()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("late");
        var client = Client(fixture);
        using var guard = new CancellationTokenSource(HangGuard);
        using var call = client.SubscribeFollowUps(new SubscribeFollowUpsRequest { SurveyId = surveyId }, cancellationToken: guard.Token);

        // An uncommitted row with the id of a response in batch A makes A wait inside its transaction, after it has
        // taken its load sequence, until this transaction rolls back.
        await using var blocker = new NpgsqlConnection(fixture.Database.ConnectionString);
        await blocker.OpenAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync(
            """
            INSERT INTO responses (survey_id, response_id, customer_id, score, responded_at, received_at, content_hash)
            VALUES (@surveyId, 'a1', 'blocker', 10, now(), now(), '\x00')
            """,
            new { surveyId },
            blocking);
        var batchA = SendAsync(fixture, surveyId, Response("a1", "ca1", 1, 0), Response("a2", "ca2", 2, 1));
        await WaitForLockWaitAsync("transactionid", guard.Token);

        // Batch B takes a higher load sequence and commits first.
        await SendAsync(fixture, surveyId, Response("b1", "cb1", 3, 2));
        Assert.False(batchA.IsCompleted);

        // The stream reads B's item as committed, and waits for A to end before it delivers anything.
        await WaitForLockWaitAsync("advisory", guard.Token);
        await blocking.RollbackAsync();
        await batchA;

        var received = await ReadAsync(call, 3, guard.Token);
        Assert.Equal(["a1", "a2", "b1"], received.Select(r => r.Item.Response.ResponseId).ToArray());
    }

    [Fact]
    public async Task Subscribe_ServerStops_StreamEndsUnavailable()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("stop");
        await SendAsync(fixture, surveyId, Response("d", "c", 0, 0));
        var server = await RunningServer.StartAsync(fixture.Database.ConnectionString);

        // A channel of its own, because disposing the server disposes the server's channel.
        using var channel = server.OpenChannel();
        var client = new FollowUpService.FollowUpServiceClient(channel);
        using var guard = new CancellationTokenSource(HangGuard);
        using var call = client.SubscribeFollowUps(new SubscribeFollowUpsRequest { SurveyId = surveyId }, cancellationToken: guard.Token);
        Assert.Single(await ReadAsync(call, 1, guard.Token));

        var stopping = server.DisposeAsync().AsTask();
        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(guard.Token));
        await stopping;

        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Contains("cursor", ended.Status.Detail);
    }

    private static async Task<List<SubscribeFollowUpsResponse>> ReadAsync(
        AsyncServerStreamingCall<SubscribeFollowUpsResponse> call, int count, CancellationToken cancellationToken)
    {
        var messages = new List<SubscribeFollowUpsResponse>();
        while (messages.Count < count)
        {
            Assert.True(await call.ResponseStream.MoveNext(cancellationToken), "the stream ended before the expected items");
            messages.Add(call.ResponseStream.Current);
        }

        return messages;
    }

    // Waits until a session of the test database waits for a lock of the given type (pg_stat_activity.wait_event).
    private async Task WaitForLockWaitAsync(string waitEvent, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        while (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                   """
                   SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                                  WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = @waitEvent)
                   """,
                   new { waitEvent },
                   cancellationToken: cancellationToken)))
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}

using Dapper;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests.Operations;

/// <summary>
/// Graceful shutdown: a stopping server acknowledges only committed batches and ends open ingest and subscribe streams
/// with UNAVAILABLE.
/// </summary>
public sealed class ShutdownTests
{
    private const int BatchSize = 20;
    private const int MaxBatches = 2000;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sigterm_AckedBatchesStoredStreamsUnavailable()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>
        {
            ["Shutdown__DrainTimeout"] = DrainTimeout.ToString("c"),
            ["FollowUps__PollInterval"] = "00:00:00.200",
        });
        string surveyId = await server.CreateSurveyAsync("sigterm");
        using var subscription = server.FollowUps.SubscribeFollowUps(new SubscribeFollowUpsRequest { SurveyId = surveyId });
        var subscribeEnd = DrainAsync(subscription.ResponseStream);

        using var call = server.Ingest.StreamResponses();
        var acknowledged = new List<string>();
        var fifthAck = new TaskCompletionSource();
        var acknowledgements = ReadAcknowledgementsAsync(call.ResponseStream, acknowledged, fifthAck);
        var writes = WriteBatchesAsync(call.RequestStream, surveyId, acknowledgements);

        await fifthAck.Task;
        server.SendSigterm();
        var ingestEnd = await acknowledgements;
        await writes;

        Assert.True(await server.WaitForExitAsync(DrainTimeout + TimeSpan.FromSeconds(15)), "The server did not exit after SIGTERM.");
        Assert.Equal(0, server.ExitCode);
        Assert.NotNull(ingestEnd);
        Assert.True(ingestEnd.StatusCode == StatusCode.Unavailable, $"The ingest stream ended with {ingestEnd.Status}.");
        Assert.Contains("shutting down", ingestEnd.Status.Detail);
        var subscribeError = await subscribeEnd;
        Assert.NotNull(subscribeError);
        Assert.Equal(StatusCode.Unavailable, subscribeError.StatusCode);

        var stored = await StoredIdsAsync(database.ConnectionString, surveyId);
        Assert.True(acknowledged.Count >= 5);
        foreach (string batchId in acknowledged)
        {
            var missing = BatchIds(batchId).Where(id => !stored.Contains(id)).ToList();
            Assert.True(missing.Count == 0, $"Batch {batchId} was acknowledged but {missing.Count} of its responses are missing.");
        }
    }

    [Fact]
    public async Task HostStop_AckedBatchStoredStreamsUnavailable()
    {
        await using var database = await TestDatabase.CreateAsync();

        await using var server = await RunningServer.StartAsync(database.ConnectionString);
        string surveyId = await server.CreateSurveyAsync("hoststop");
        var followUps = new FollowUpService.FollowUpServiceClient(server.Channel);
        using var subscription = followUps.SubscribeFollowUps(new SubscribeFollowUpsRequest { SurveyId = surveyId });
        var subscribeEnd = DrainAsync(subscription.ResponseStream);
        using var call = server.Ingest.StreamResponses();
        await call.RequestStream.WriteAsync(Batch(surveyId, "host-1", Range("h", BatchSize)));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var acknowledged = call.ResponseStream.Current.Result;

        var stop = server.StopAsync();
        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        await stop;

        Assert.Equal("host-1", acknowledged.BatchId);
        Assert.True(ended.StatusCode == StatusCode.Unavailable, $"The stream ended with {ended.Status}.");
        Assert.Contains("resend", ended.Status.Detail);
        var subscribeError = await subscribeEnd;
        Assert.NotNull(subscribeError);
        Assert.Equal(StatusCode.Unavailable, subscribeError.StatusCode);
        Assert.Equal(BatchSize, await CountRowsAsync(database.ConnectionString, surveyId));
    }

    [Fact]
    public async Task HostStop_GraceKeepsConnectionOpen()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await RunningServer.StartAsync(
            database.ConnectionString, new Dictionary<string, string?> { ["Shutdown:StreamEndGrace"] = "00:00:05" });
        string surveyId = await server.CreateSurveyAsync("grace");
        using var call = server.Ingest.StreamResponses();
        await call.RequestStream.WriteAsync(Batch(surveyId, "grace-1", Range("g", BatchSize)));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var stop = server.StopAsync();
        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        // During the grace Kestrel still serves the connection, so a new call reaches the server and is rejected there.
        // Had Kestrel stopped first, the call would fail to connect instead.
        var rejected = await Assert.ThrowsAsync<RpcException>(
            async () => await server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId }));
        await stop;

        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Equal(StatusCode.Unavailable, rejected.StatusCode);
        Assert.Contains("accepts no new calls", rejected.Status.Detail);
    }

    [Fact]
    public async Task Stopping_NewCallsRejectedUnavailable()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await RunningServer.StartAsync(database.ConnectionString);
        string surveyId = await server.CreateSurveyAsync("stopping");

        // Signals the stop but leaves Kestrel running, so the test can call in the moment between the two.
        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var unary = await Assert.ThrowsAsync<RpcException>(
            async () => await server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId }));
        using var call = server.Ingest.StreamResponses();
        var stream = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, unary.StatusCode);
        Assert.Contains("accepts no new calls", unary.Status.Detail);
        Assert.Equal(StatusCode.Unavailable, stream.StatusCode);
        Assert.Equal(0, await CountRowsAsync(database.ConnectionString, surveyId));
    }

    // Reads acknowledgements until the stream ends. Returns the status that ended it, or null for OK.
    private static async Task<RpcException?> ReadAcknowledgementsAsync(
        IAsyncStreamReader<StreamResponsesResponse> responses, List<string> acknowledged, TaskCompletionSource fifthAck)
    {
        try
        {
            while (await responses.MoveNext(CancellationToken.None))
            {
                acknowledged.Add(responses.Current.Result.BatchId);
                if (acknowledged.Count == 5)
                {
                    fifthAck.TrySetResult();
                }
            }

            return null;
        }
        catch (RpcException exception)
        {
            return exception;
        }
        finally
        {
            fifthAck.TrySetResult();
        }
    }

    // Writes batches ahead of their acknowledgements until the call ends, so batches are in flight when SIGTERM comes.
    private static async Task WriteBatchesAsync(
        IClientStreamWriter<StreamResponsesRequest> requests, string surveyId, Task callEnded)
    {
        for (int batch = 0; batch < MaxBatches && !callEnded.IsCompleted; batch++)
        {
            string batchId = $"s{batch:D4}";
            var responses = BatchIds(batchId).Select((id, index) => Make(id, index % 11, batch));
            try
            {
                await requests.WriteAsync(Batch(surveyId, batchId, responses));
            }
            catch (Exception exception) when (exception is RpcException or InvalidOperationException or IOException)
            {
                // The server ended the call, and the acknowledgement reader reports how.
                return;
            }
        }
    }

    private static async Task<RpcException?> DrainAsync<T>(IAsyncStreamReader<T> stream)
    {
        try
        {
            while (await stream.MoveNext(CancellationToken.None))
            {
            }

            return null;
        }
        catch (RpcException exception)
        {
            return exception;
        }
    }

    private static IEnumerable<string> BatchIds(string batchId) =>
        Enumerable.Range(0, BatchSize).Select(index => $"{batchId}-{index}");

    private static async Task<HashSet<string>> StoredIdsAsync(string connectionString, string surveyId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var ids = await connection.QueryAsync<string>(
            "SELECT response_id FROM responses WHERE survey_id = @surveyId", new { surveyId });
        return ids.ToHashSet(StringComparer.Ordinal);
    }
}

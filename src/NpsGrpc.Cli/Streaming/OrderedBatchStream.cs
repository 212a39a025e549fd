using System.Collections.Concurrent;
using Grpc.Core;

namespace NpsGrpc.Cli.Streaming;

/// <summary>
/// Sends batches over a bidirectional gRPC stream whose server returns one result per batch, in order, once the
/// batch is committed. Each batch carries client-side state (such as the CSV line numbers of its items) that is
/// handed back with its result.
/// </summary>
internal static class OrderedBatchStream
{
    /// <summary>
    /// Writes every batch of <paramref name="batches"/> with at most <paramref name="maxInFlight"/> awaiting their
    /// results, calls <paramref name="onResult"/> for each result, and returns when every batch has its result. A
    /// failed call throws the <see cref="RpcException"/> the server ended it with. A result without a pending
    /// batch, or a stream that ends before every batch has its result, throws <see cref="ServerProtocolException"/>.
    /// </summary>
    public static async Task RunAsync<TRequest, TResponse, TState>(
        AsyncDuplexStreamingCall<TRequest, TResponse> call,
        IAsyncEnumerable<(TRequest Request, TState State)> batches,
        Action<TState, TResponse> onResult,
        int maxInFlight,
        CancellationToken cancellationToken)
    {
        var pending = new ConcurrentQueue<TState>();
        using var window = new SemaphoreSlim(maxInFlight);
        using var resultsEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task reading = ReadResultsAsync();

        await foreach ((TRequest request, TState state) in batches.WithCancellation(cancellationToken))
        {
            try
            {
                await window.WaitAsync(resultsEnded.Token);
                pending.Enqueue(state);
                await call.RequestStream.WriteAsync(request, resultsEnded.Token);
            }
            catch (Exception exception) when (IsEndOfCall(exception, cancellationToken))
            {
                // The call ended because the server failed it or the connection broke. The reading task has the cause.
                await reading;
                throw new ServerProtocolException(
                    $"The server ended the stream before every batch was sent: {exception.Message}");
            }
        }

        try
        {
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception exception) when (IsEndOfCall(exception, cancellationToken))
        {
            await reading;
            throw new ServerProtocolException(
                $"The server ended the stream before it was completed: {exception.Message}");
        }

        await reading;

        async Task ReadResultsAsync()
        {
            try
            {
                await foreach (TResponse result in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (!pending.TryDequeue(out TState? state))
                    {
                        throw new ServerProtocolException(
                            "The server returned a result for a batch that was never sent.");
                    }

                    onResult(state, result);
                    window.Release();
                }

                if (!pending.IsEmpty)
                {
                    throw new ServerProtocolException(
                        $"The server closed the stream with {pending.Count} batches without a result; run the " +
                        "command again.");
                }
            }
            finally
            {
                // Unblocks a writer that waits for room in the window after the result stream ended.
                await resultsEnded.CancelAsync();
            }
        }
    }

    private static bool IsEndOfCall(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception is RpcException or InvalidOperationException or OperationCanceledException;
}

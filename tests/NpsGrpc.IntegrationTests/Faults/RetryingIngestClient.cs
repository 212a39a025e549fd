using System.Collections.Concurrent;
using Grpc.Core;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>
/// An ingest client that follows the API's retry contract. It streams its batches, and when the stream fails with a
/// retryable status, it opens a new stream and resends every batch not acknowledged yet.
/// </summary>
internal sealed class RetryingIngestClient(Func<IngestService.IngestServiceClient> connect, IReadOnlyList<StreamResponsesRequest> batches)
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentQueue<RpcException> _failures = new();
    private readonly ConcurrentDictionary<string, ResponseBatchResult> _results = new(StringComparer.Ordinal);

    /// <summary>
    /// When set, the client stops sending after this many batches until <see cref="Resume"/> is completed, with
    /// its stream still open.
    /// </summary>
    public int? PauseAfter { get; init; }

    /// <summary>Completed by the test to let a paused client send the rest of its batches.</summary>
    public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed once the first <see cref="PauseAfter"/> batches are acknowledged.</summary>
    public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every batch the client sends.</summary>
    public IReadOnlyList<StreamResponsesRequest> Batches => batches;

    /// <summary>The failed streams, in order.</summary>
    public IReadOnlyCollection<RpcException> Failures => _failures;

    /// <summary>The last result received per batch id.</summary>
    public IReadOnlyDictionary<string, ResponseBatchResult> Results => _results;

    /// <summary>
    /// Sends every batch until each is acknowledged. Retries UNAVAILABLE only, the status of a database outage and of
    /// an unreachable server. Any other status fails the run.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var pending = batches.Where(b => !_results.ContainsKey(b.BatchId)).ToList();
            if (pending.Count == 0)
            {
                return;
            }

            try
            {
                await SendAsync(pending, cancellationToken);
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.Unavailable)
            {
                _failures.Enqueue(exception);
                await Task.Delay(RetryPause, cancellationToken);
            }
        }
    }

    private async Task SendAsync(List<StreamResponsesRequest> pending, CancellationToken cancellationToken)
    {
        using var call = connect().StreamResponses(cancellationToken: cancellationToken);
        var writing = WriteAsync(call.RequestStream, pending, cancellationToken);
        try
        {
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                var result = call.ResponseStream.Current.Result;
                _results[result.BatchId] = result;
                if (PauseAfter is { } pause && _results.Count >= pause)
                {
                    Paused.TrySetResult();
                }
            }
        }
        catch
        {
            // A failed call fails the writes too, with transport errors that are less specific than the call's status.
            await writing.ContinueWith(write => _ = write.Exception, TaskScheduler.Default);
            throw;
        }

        await writing;
    }

    private async Task WriteAsync(
        IClientStreamWriter<StreamResponsesRequest> requests, List<StreamResponsesRequest> pending, CancellationToken cancellationToken)
    {
        foreach (var batch in pending)
        {
            if (PauseAfter is { } pause && !Resume.Task.IsCompleted && Index(batch) == pause)
            {
                await Resume.Task.WaitAsync(cancellationToken);
            }

            await requests.WriteAsync(batch, cancellationToken);
        }

        await requests.CompleteAsync();
    }

    private int Index(StreamResponsesRequest batch)
    {
        for (int i = 0; i < batches.Count; i++)
        {
            if (ReferenceEquals(batches[i], batch))
            {
                return i;
            }
        }

        return -1;
    }
}

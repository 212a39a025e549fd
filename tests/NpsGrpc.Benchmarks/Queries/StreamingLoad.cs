using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Grpc.Core;
using NpsGrpc.Benchmarks.Generation;
using NpsGrpc.Benchmarks.Ingest;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Totals of a streaming load.</summary>
/// <param name="Acknowledgements">Acknowledgement totals of all calls.</param>
/// <param name="Elapsed">Wall time from the first generated response to the last acknowledgement.</param>
/// <param name="Generating">Time the producer spent generating responses and building requests.</param>
public sealed record StreamingLoadResult(AckTotals Acknowledgements, TimeSpan Elapsed, TimeSpan Generating);

/// <summary>
/// Loads generated responses through several concurrent StreamResponses calls without holding them all: a producer
/// builds the requests and the calls take them from a small bounded queue, so memory stays at a few batches.
/// Generating runs on the same machine during the load, which the result reports as <c>Generating</c>.
/// </summary>
public sealed class StreamingLoad(IngestService.IngestServiceClient client, TextWriter output)
{
    /// <summary>Sends every response and returns once every call has ended and all acknowledgements are read.</summary>
    public async Task<StreamingLoadResult> RunAsync(
        IEnumerable<GeneratedResponse> responses,
        int count,
        string surveyId,
        int batchSize,
        int streams,
        CancellationToken cancellationToken)
    {
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateBounded<StreamResponsesRequest>(
            new BoundedChannelOptions(2 * streams) { SingleWriter = true });
        var stopwatch = Stopwatch.StartNew();
        var producer = Task.Run(
            () => Produce(responses, count, surveyId, batchSize, queue.Writer, stopwatch, failure.Token),
            failure.Token);
        var calls = Enumerable.Range(0, streams)
            .Select(_ => RunCallAsync(queue.Reader, failure))
            .ToArray();

        AckTotals[] totals;
        try
        {
            totals = await Task.WhenAll(calls);
        }
        catch (Exception exception) when (FirstCause(calls) is { } cause && cause != exception)
        {
            // A call that fails cancels the others; report its error rather than their cancellation.
            ExceptionDispatchInfo.Throw(cause);
            throw;
        }

        var generating = await producer;
        return new StreamingLoadResult(
            totals.Aggregate(AckTotals.None, (sum, next) => sum + next), stopwatch.Elapsed, generating);
    }

    private static Exception? FirstCause(IEnumerable<Task> calls) => calls
        .Where(call => call.IsFaulted)
        .SelectMany(call => call.Exception!.InnerExceptions)
        .FirstOrDefault(exception => exception is not OperationCanceledException);

    private TimeSpan Produce(
        IEnumerable<GeneratedResponse> responses,
        int count,
        string surveyId,
        int batchSize,
        ChannelWriter<StreamResponsesRequest> writer,
        Stopwatch elapsed,
        CancellationToken cancellationToken)
    {
        var generating = Stopwatch.StartNew();
        int batches = 0;
        int sent = 0;
        int nextReport = Math.Max(1, count / 10);
        Exception? error = null;
        try
        {
            using var enumerator = responses.GetEnumerator();
            while (sent < count)
            {
                var request = new StreamResponsesRequest { SurveyId = surveyId, BatchId = $"batch-{batches:D7}" };
                while (request.Responses.Count < batchSize && enumerator.MoveNext())
                {
                    request.Responses.Add(ResponseMessages.ToMessage(enumerator.Current));
                }

                if (request.Responses.Count == 0)
                {
                    break;
                }

                generating.Stop();
                // The producer thread only waits here, for a free slot in the queue.
                writer.WriteAsync(request, cancellationToken).AsTask().GetAwaiter().GetResult();
                generating.Start();
                batches++;
                sent += request.Responses.Count;
                if (sent >= nextReport)
                {
                    output.WriteLine($"  queued {sent:N0} responses after {elapsed.Elapsed.TotalSeconds:F0} s");
                    nextReport += Math.Max(1, count / 10);
                }
            }
        }
        catch (Exception exception)
        {
            error = exception;
            throw;
        }
        finally
        {
            writer.TryComplete(error);
        }

        return generating.Elapsed;
    }

    private async Task<AckTotals> RunCallAsync(
        ChannelReader<StreamResponsesRequest> queue, CancellationTokenSource failure)
    {
        try
        {
            using var call = client.StreamResponses(cancellationToken: failure.Token);
            var acknowledgements = RpcIngestRun.ReadAcknowledgementsAsync(call.ResponseStream, failure.Token);
            int sent = 0;
            await foreach (var batch in queue.ReadAllAsync(failure.Token))
            {
                await call.RequestStream.WriteAsync(batch, failure.Token);
                sent++;
            }

            await call.RequestStream.CompleteAsync();
            var totals = await acknowledgements;
            if (totals.Batches != sent)
            {
                throw new BenchmarkException(
                    $"A StreamResponses call sent {sent} batches but received {totals.Batches} acknowledgements.");
            }

            return totals;
        }
        catch (RpcException exception)
        {
            await failure.CancelAsync();
            throw new BenchmarkException(
                $"StreamResponses failed with {exception.StatusCode}: {exception.Status.Detail}");
        }
        catch
        {
            // Stops the producer and the other call, which would otherwise wait for a queue that no call empties.
            await failure.CancelAsync();
            throw;
        }
    }
}

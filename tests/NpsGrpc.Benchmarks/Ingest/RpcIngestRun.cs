using Grpc.Core;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>Acknowledgement totals of a load through StreamResponses.</summary>
/// <param name="Batches">Batches acknowledged.</param>
/// <param name="Accepted">Responses stored.</param>
/// <param name="Duplicates">Responses already stored with the same content.</param>
/// <param name="Rejected">Responses rejected.</param>
/// <param name="FirstRejection">Message of the first rejection, or null.</param>
public sealed record AckTotals(int Batches, long Accepted, long Duplicates, long Rejected, string? FirstRejection)
{
    /// <summary>No acknowledgements.</summary>
    public static readonly AckTotals None = new(0, 0, 0, 0, null);

    /// <summary>Adds the totals of two streams.</summary>
    public static AckTotals operator +(AckTotals left, AckTotals right) => new(
        left.Batches + right.Batches,
        left.Accepted + right.Accepted,
        left.Duplicates + right.Duplicates,
        left.Rejected + right.Rejected,
        left.FirstRejection ?? right.FirstRejection);
}

/// <summary>
/// Sends prepared batches through StreamResponses over several concurrent calls. Each call takes the next unsent batch,
/// so a faster call sends more. Writing and reading acknowledgements overlap, so the server can read the next batch as
/// soon as it has sent the result of the previous one.
/// </summary>
public sealed class RpcIngestRun(IngestService.IngestServiceClient client)
{
    /// <summary>Method name in results.</summary>
    public const string Method = "gRPC";

    /// <summary>Sends every batch and returns once every call has ended and all acknowledgements are read.</summary>
    public async Task<AckTotals> SendAsync(
        IReadOnlyList<StreamResponsesRequest> batches, int streams, CancellationToken cancellationToken)
    {
        int lastTaken = -1;
        int TakeNext() => Interlocked.Increment(ref lastTaken);

        var calls = new Task<AckTotals>[streams];
        for (int stream = 0; stream < streams; stream++)
        {
            calls[stream] = RunCallAsync(batches, TakeNext, cancellationToken);
        }

        var totals = await Task.WhenAll(calls);
        return totals.Aggregate(AckTotals.None, (sum, next) => sum + next);
    }

    private async Task<AckTotals> RunCallAsync(
        IReadOnlyList<StreamResponsesRequest> batches, Func<int> takeNext, CancellationToken cancellationToken)
    {
        using var call = client.StreamResponses(cancellationToken: cancellationToken);
        var acknowledgements = ReadAcknowledgementsAsync(call.ResponseStream, cancellationToken);
        int sent = 0;
        for (int index = takeNext(); index < batches.Count; index = takeNext())
        {
            await call.RequestStream.WriteAsync(batches[index], cancellationToken);
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

    /// <summary>Reads the acknowledgements of one StreamResponses call until the server ends it.</summary>
    public static async Task<AckTotals> ReadAcknowledgementsAsync(
        IAsyncStreamReader<StreamResponsesResponse> replies, CancellationToken cancellationToken)
    {
        var totals = AckTotals.None;
        await foreach (var reply in replies.ReadAllAsync(cancellationToken))
        {
            var result = reply.Result;
            string? rejection = result.Rejections.Count > 0
                ? $"batch {result.BatchId}, item {result.Rejections[0].Index}: {result.Rejections[0].Message}"
                : null;
            totals += new AckTotals(1, result.AcceptedCount, result.DuplicateCount, result.RejectedCount, rejection);
        }

        return totals;
    }
}

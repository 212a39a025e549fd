using Grpc.Core;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Server.Observability;
using NpsGrpc.Server.Shutdown;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>
/// gRPC ingest endpoints. Batches of one stream are handled one at a time: the next batch is read only after
/// the previous one is committed and its result sent, so a fast client is held back by HTTP/2 flow control instead
/// of filling the server's memory. When the server stops, a stream commits and acknowledges the batch in hand and
/// then ends with UNAVAILABLE.
/// </summary>
public sealed class IngestGrpcService(
    ResponseBatchIngestor responses, CustomerBatchIngestor customers, ServerDrain drain, IngestMetrics metrics)
    : IngestService.IngestServiceBase
{
    /// <summary>Batches with rejections kept in an IngestResponses summary, so it stays far below message limits.</summary>
    private const int MaxReportedBatches = 100;

    private const string ResendUnacknowledged =
        "Every acknowledged batch is stored. Reconnect and resend the batches that were not acknowledged; resending is safe.";

    private const string ResendAll =
        "Batches of this call may be stored, but the summary is lost. Reconnect and resend them all; resending is safe " +
        "because a stored response counts as a duplicate.";

    /// <inheritdoc />
    public override async Task StreamResponses(
        IAsyncStreamReader<StreamResponsesRequest> requestStream,
        IServerStreamWriter<StreamResponsesResponse> responseStream,
        ServerCallContext context)
    {
        using var open = metrics.TrackStream();
        var scope = CallLogScope.Of(context);
        await foreach (var batch in drain.ReadUntilStoppingAsync(requestStream, context, ResendUnacknowledged))
        {
            scope?.SetBatch(batch.SurveyId, batch.BatchId);
            var result = await responses.IngestAsync(batch.SurveyId, batch.BatchId, batch.Responses, context.CancellationToken);
            await responseStream.WriteAsync(new StreamResponsesResponse { Result = result }, context.CancellationToken);
        }
    }

    /// <inheritdoc />
    public override async Task<IngestResponsesResponse> IngestResponses(
        IAsyncStreamReader<IngestResponsesRequest> requestStream, ServerCallContext context)
    {
        using var open = metrics.TrackStream();
        var scope = CallLogScope.Of(context);
        var summary = new IngestResponsesResponse();
        await foreach (var batch in drain.ReadUntilStoppingAsync(requestStream, context, ResendAll))
        {
            scope?.SetBatch(batch.SurveyId, batch.BatchId);
            var result = await responses.IngestAsync(batch.SurveyId, batch.BatchId, batch.Responses, context.CancellationToken);
            summary.BatchCount++;
            summary.AcceptedCount += result.AcceptedCount;
            summary.DuplicateCount += result.DuplicateCount;
            summary.RejectedCount += result.RejectedCount;
            if (result.RejectedCount > 0 && summary.BatchesWithRejections.Count < MaxReportedBatches)
            {
                summary.BatchesWithRejections.Add(result);
            }
            else if (result.RejectedCount > 0)
            {
                summary.BatchesWithRejectionsTruncated = true;
            }
        }

        return summary;
    }

    /// <inheritdoc />
    public override async Task UpsertCustomers(
        IAsyncStreamReader<UpsertCustomersRequest> requestStream,
        IServerStreamWriter<UpsertCustomersResponse> responseStream,
        ServerCallContext context)
    {
        var scope = CallLogScope.Of(context);
        await foreach (var batch in drain.ReadUntilStoppingAsync(requestStream, context, ResendUnacknowledged))
        {
            scope?.SetBatch("", batch.BatchId);
            var result = await customers.IngestAsync(batch.BatchId, batch.Customers, context.CancellationToken);
            await responseStream.WriteAsync(result, context.CancellationToken);
        }
    }
}

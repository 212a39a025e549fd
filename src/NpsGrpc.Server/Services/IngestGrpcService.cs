using Grpc.Core;
using NpsGrpc.Server.Ingest;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>
/// gRPC ingest endpoints. Batches of one stream are handled one at a time: the next batch is read only after
/// the previous one is committed and its result sent, so a fast client is held back by HTTP/2 flow control instead
/// of filling the server's memory.
/// </summary>
public sealed class IngestGrpcService(ResponseBatchIngestor responses, CustomerBatchIngestor customers)
    : IngestService.IngestServiceBase
{
    /// <summary>Batches with rejections kept in an IngestResponses summary, so it stays far below message limits.</summary>
    private const int MaxReportedBatches = 100;

    /// <inheritdoc />
    public override async Task StreamResponses(
        IAsyncStreamReader<StreamResponsesRequest> requestStream,
        IServerStreamWriter<StreamResponsesResponse> responseStream,
        ServerCallContext context)
    {
        await foreach (var batch in requestStream.ReadAllAsync(context.CancellationToken))
        {
            var result = await responses.IngestAsync(batch.SurveyId, batch.BatchId, batch.Responses, context.CancellationToken);
            await responseStream.WriteAsync(new StreamResponsesResponse { Result = result }, context.CancellationToken);
        }
    }

    /// <inheritdoc />
    public override async Task<IngestResponsesResponse> IngestResponses(
        IAsyncStreamReader<IngestResponsesRequest> requestStream, ServerCallContext context)
    {
        var summary = new IngestResponsesResponse();
        await foreach (var batch in requestStream.ReadAllAsync(context.CancellationToken))
        {
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
        await foreach (var batch in requestStream.ReadAllAsync(context.CancellationToken))
        {
            var result = await customers.IngestAsync(batch.BatchId, batch.Customers, context.CancellationToken);
            await responseStream.WriteAsync(result, context.CancellationToken);
        }
    }
}

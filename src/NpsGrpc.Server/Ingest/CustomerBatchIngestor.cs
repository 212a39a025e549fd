using Google.Protobuf.Collections;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Ingest;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Ingest;

/// <summary>Validates and applies one batch of customer attribute upserts in one transaction.</summary>
public sealed partial class CustomerBatchIngestor(
    CustomerValidator validator,
    IngestLimits limits,
    CustomerWriter writer,
    IngestWriteGate gate,
    ILogger<CustomerBatchIngestor> logger)
{
    /// <summary>Applies a batch and returns its outcome once committed; throws RpcException for a batch-level problem.</summary>
    public async Task<UpsertCustomersResponse> IngestAsync(
        string batchId, RepeatedField<Customer> items, CancellationToken cancellationToken)
    {
        if (Identifiers.CheckId(batchId, limits.MaxIdLength) is { } batchProblem)
        {
            throw RpcErrors.InvalidArgument("batch_id", $"batch_id {batchProblem}");
        }

        if (items.Count > limits.MaxBatchSize)
        {
            throw RpcErrors.LimitExceeded(
                "customers",
                $"Batch '{batchId}' has {items.Count} customers; the maximum is {limits.MaxBatchSize} per batch " +
                "(server setting Ingest:MaxBatchSize). Nothing of this batch was stored; split it and resend.");
        }

        var response = new UpsertCustomersResponse { BatchId = batchId };
        var valid = new List<ValidatedCustomer>(items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int index = 0; index < items.Count; index++)
        {
            var item = items[index];
            var attributes = item.Attributes.ToDictionary(
                a => a.Key, a => (IReadOnlyList<string>)(a.Value?.Values ?? []), StringComparer.Ordinal);
            var outcome = validator.Validate(new CustomerInput(item.CustomerId, attributes));
            if (!outcome.IsValid)
            {
                response.Rejections.Add(Rejection(index, item.CustomerId, outcome.Violation!.FieldPath, outcome.Violation.Message));
                continue;
            }

            if (!seen.Add(item.CustomerId))
            {
                response.Rejections.Add(Rejection(
                    index, item.CustomerId, "customer_id", $"customer_id '{item.CustomerId}' appears earlier in this batch"));
                continue;
            }

            valid.Add(outcome.Value!);
        }

        await gate.RunAsync(
            () => TransientRetry.RunAsync(
                async () =>
                {
                    await writer.WriteAsync(valid, cancellationToken);
                    return true;
                },
                cancellationToken),
            cancellationToken);

        response.UpsertedCount = valid.Count;
        response.RejectedCount = response.Rejections.Count;
        Log.BatchCommitted(logger, batchId, response.UpsertedCount, response.RejectedCount);
        return response;
    }

    private static ItemRejection Rejection(int index, string customerId, string fieldPath, string message) => new()
    {
        Index = index,
        ItemId = customerId,
        FieldPath = fieldPath,
        Reason = RejectionReason.Invalid,
        Message = message,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 31, Level = LogLevel.Debug,
            Message = "Committed customer batch {BatchId}: {Upserted} upserted, {Rejected} rejected")]
        public static partial void BatchCommitted(ILogger logger, string batchId, int upserted, int rejected);
    }
}

using System.Diagnostics;
using Google.Protobuf.Collections;
using Grpc.Core;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Observability;
using NpsGrpc.Storage.Ingest;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Ingest;

/// <summary>
/// Validates and stores one batch of responses: invalid items are rejected with reasons, valid items are
/// written in one transaction, and ids already stored are counted as duplicates or rejected as conflicts.
/// </summary>
public sealed partial class ResponseBatchIngestor(
    SurveyDirectory surveys,
    ResponseValidator validator,
    ResponseWriter writer,
    IngestWriteGate gate,
    TimeProvider clock,
    IngestMetrics metrics,
    ILogger<ResponseBatchIngestor> logger)
{
    /// <summary>
    /// Ingests a batch and returns its outcome once committed. Throws RpcException for a batch-level problem
    /// (malformed ids, unknown survey, over the size limit), in which case nothing of the batch is stored.
    /// Each batch is one <c>nps.ingest.batch</c> span and is counted in the ingest metrics.
    /// </summary>
    public async Task<ResponseBatchResult> IngestAsync(
        string surveyId, string batchId, RepeatedField<SurveyResponse> items, CancellationToken cancellationToken)
    {
        using var activity = NpsActivities.Source.StartActivity("nps.ingest.batch");
        activity?.SetTag("nps.survey.id", surveyId);
        activity?.SetTag("nps.batch.id", batchId);
        activity?.SetTag("nps.batch.size", items.Count);
        long started = Stopwatch.GetTimestamp();
        try
        {
            var result = await IngestBatchAsync(surveyId, batchId, items, cancellationToken);
            metrics.RecordCommitted(result, Stopwatch.GetElapsedTime(started));
            activity?.SetTag("nps.batch.accepted", result.AcceptedCount);
            activity?.SetTag("nps.batch.duplicates", result.DuplicateCount);
            activity?.SetTag("nps.batch.rejected", result.RejectedCount);
            return result;
        }
        catch (RpcException exception)
        {
            metrics.RecordNotCommitted(IngestMetrics.BatchOutcome.Rejected, exception.StatusCode, Stopwatch.GetElapsedTime(started));
            activity?.SetStatus(ActivityStatusCode.Error, exception.StatusCode.ToString());
            throw;
        }
        catch (Exception exception)
        {
            metrics.RecordNotCommitted(IngestMetrics.BatchOutcome.Failed, null, Stopwatch.GetElapsedTime(started));
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            throw;
        }
    }

    private async Task<ResponseBatchResult> IngestBatchAsync(
        string surveyId, string batchId, RepeatedField<SurveyResponse> items, CancellationToken cancellationToken)
    {
        if (Identifiers.CheckId(batchId, validator.Limits.MaxIdLength) is { } batchProblem)
        {
            throw RpcErrors.InvalidArgument("batch_id", $"batch_id {batchProblem}");
        }

        if (items.Count > validator.Limits.MaxBatchSize)
        {
            throw RpcErrors.LimitExceeded(
                "responses",
                $"Batch '{batchId}' has {items.Count} responses; the maximum is {validator.Limits.MaxBatchSize} per batch " +
                "(server setting Ingest:MaxBatchSize). Nothing of this batch was stored; split it and resend.");
        }

        await surveys.EnsureExistsAsync(surveyId, cancellationToken);

        var result = new ResponseBatchResult { BatchId = batchId };
        var valid = new List<ValidatedResponse>(items.Count);
        var batchIndexOfValid = new List<int>(items.Count);
        var positionById = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        var rejections = new List<ItemRejection>();
        var repeats = new List<(int Index, int EarlierPosition)>();
        DateTime now = clock.GetUtcNow().UtcDateTime;

        for (int index = 0; index < items.Count; index++)
        {
            var outcome = validator.Validate(ToInput(items[index]), now);
            if (!outcome.IsValid)
            {
                rejections.Add(Rejection(index, items[index].ResponseId, outcome.Violation!, RejectionReason.Invalid));
                continue;
            }

            var response = outcome.Value!;
            if (positionById.TryGetValue(response.ResponseId, out int earlier))
            {
                // The same id twice in one batch with different content is a conflict at once. With the same content
                // the repeat gets the earlier item's outcome, which is known only after the write.
                if (valid[earlier].ContentHash.AsSpan().SequenceEqual(response.ContentHash))
                {
                    repeats.Add((index, earlier));
                }
                else
                {
                    rejections.Add(Conflict(index, response.ResponseId, "appears earlier in this batch with different content"));
                }

                continue;
            }

            positionById.Add(response.ResponseId, valid.Count);
            valid.Add(response);
            batchIndexOfValid.Add(index);
        }

        var write = await gate.RunAsync(
            () => TransientRetry.RunAsync(() => writer.WriteAsync(surveyId, valid, now, cancellationToken), cancellationToken),
            cancellationToken);

        result.AcceptedCount = write.InsertedCount;
        var conflicting = new HashSet<int>();
        foreach (var existing in write.ExistingItems)
        {
            if (existing.IsIdentical)
            {
                result.DuplicateCount++;
            }
            else
            {
                conflicting.Add(existing.Position);
                var response = valid[existing.Position];
                rejections.Add(Conflict(
                    batchIndexOfValid[existing.Position], response.ResponseId, "is already stored with different content"));
            }
        }

        foreach ((int index, int earlier) in repeats)
        {
            if (conflicting.Contains(earlier))
            {
                rejections.Add(Conflict(index, valid[earlier].ResponseId, "is already stored with different content"));
            }
            else
            {
                result.DuplicateCount++;
            }
        }

        rejections.Sort((left, right) => left.Index.CompareTo(right.Index));
        result.Rejections.AddRange(rejections);
        result.RejectedCount = rejections.Count;
        Log.BatchCommitted(logger, surveyId, batchId, result.AcceptedCount, result.DuplicateCount, result.RejectedCount);
        return result;
    }

    private static ResponseInput ToInput(SurveyResponse item) => new(
        item.ResponseId,
        item.CustomerId,
        item.HasScore ? item.Score : null,
        item.RespondedAt is null ? null : (item.RespondedAt.Seconds, item.RespondedAt.Nanos),
        item.Comment,
        item.Attributes,
        item.HasWeight ? item.Weight : null);

    private static ItemRejection Rejection(int index, string itemId, FieldViolation violation, RejectionReason reason) => new()
    {
        Index = index,
        ItemId = itemId,
        FieldPath = violation.FieldPath,
        Reason = reason,
        Message = violation.Message,
    };

    private static ItemRejection Conflict(int index, string responseId, string problem) => new()
    {
        Index = index,
        ItemId = responseId,
        FieldPath = "response_id",
        Reason = RejectionReason.Conflict,
        Message = $"response_id '{responseId}' {problem}; the stored response was kept unchanged",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Debug,
            Message = "Committed batch {BatchId} of survey {SurveyId}: {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected")]
        public static partial void BatchCommitted(ILogger logger, string surveyId, string batchId, int accepted, int duplicates, int rejected);
    }
}

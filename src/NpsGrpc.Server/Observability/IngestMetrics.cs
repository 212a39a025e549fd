using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using NpsGrpc.Domain.Telemetry;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Observability;

/// <summary>
/// Ingest instruments of the NpsGrpc meter: batches by outcome, responses by outcome, item rejections by reason, the
/// batch commit duration and the number of open ingest streams. docs/observability.md lists names, units and tags.
/// </summary>
public sealed class IngestMetrics
{
    /// <summary>Tag values of <c>nps.batch.outcome</c>.</summary>
    public static class BatchOutcome
    {
        /// <summary>The batch was committed; some of its items may have been rejected one by one.</summary>
        public const string Committed = "committed";

        /// <summary>The batch was rejected whole (malformed id, unknown survey, too large) and nothing was stored.</summary>
        public const string Rejected = "rejected";

        /// <summary>The batch failed (database error or the call ended) and nothing was stored.</summary>
        public const string Failed = "failed";
    }

    private readonly Counter<long> _batches;
    private readonly Counter<long> _responses;
    private readonly Counter<long> _rejections;
    private readonly Histogram<double> _batchDuration;
    private readonly UpDownCounter<long> _openStreams;

    /// <summary>Creates the instruments on the NpsGrpc meter of <paramref name="meterFactory"/>.</summary>
    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(TelemetryNames.Meter);
        _batches = meter.CreateCounter<long>(
            "nps.ingest.batches", "{batch}", "Response batches handled, by outcome.");
        _responses = meter.CreateCounter<long>(
            "nps.ingest.responses", "{response}", "Responses in committed batches, by outcome: accepted, duplicate or rejected.");
        _rejections = meter.CreateCounter<long>(
            "nps.ingest.rejections", "{response}", "Responses rejected one by one in committed batches, by reason.");
        _batchDuration = meter.CreateHistogram(
            "nps.ingest.batch.duration",
            "s",
            "Time from reading a response batch to its commit (or failure), including validation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetryNames.RequestSecondsBuckets });
        _openStreams = meter.CreateUpDownCounter<long>(
            "nps.ingest.streams.active", "{stream}", "Open StreamResponses and IngestResponses calls.");
    }

    /// <summary>Records a committed batch: its counts by outcome, its rejections by reason and its duration.</summary>
    public void RecordCommitted(ResponseBatchResult result, TimeSpan duration)
    {
        _batches.Add(1, new KeyValuePair<string, object?>("nps.batch.outcome", BatchOutcome.Committed));
        _responses.Add(result.AcceptedCount, new KeyValuePair<string, object?>("nps.response.outcome", "accepted"));
        _responses.Add(result.DuplicateCount, new KeyValuePair<string, object?>("nps.response.outcome", "duplicate"));
        _responses.Add(result.RejectedCount, new KeyValuePair<string, object?>("nps.response.outcome", "rejected"));
        foreach (var group in result.Rejections.GroupBy(rejection => rejection.Reason))
        {
            _rejections.Add(group.Count(), new KeyValuePair<string, object?>("nps.rejection.reason", ReasonName(group.Key)));
        }

        _batchDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("nps.batch.outcome", BatchOutcome.Committed));
    }

    /// <summary>
    /// Records a batch that stored nothing, with <paramref name="outcome"/> from <see cref="BatchOutcome"/> and, for a
    /// rejected batch, the gRPC status code it was rejected with.
    /// </summary>
    public void RecordNotCommitted(string outcome, StatusCode? statusCode, TimeSpan duration)
    {
        var tags = new TagList { { "nps.batch.outcome", outcome } };
        if (statusCode is { } code)
        {
            tags.Add("rpc.grpc.status_code", (int)code);
        }

        _batches.Add(1, tags);
        _batchDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Counts an ingest stream as open until the returned value is disposed.</summary>
    public IDisposable TrackStream()
    {
        _openStreams.Add(1);
        return new StreamTracker(_openStreams);
    }

    /// <summary>Returns the tag value of a rejection reason: the proto enum value name without its prefix, lower case.</summary>
    public static string ReasonName(RejectionReason reason) => reason switch
    {
        RejectionReason.Invalid => "invalid",
        RejectionReason.Conflict => "conflict",
        _ => "unspecified",
    };

    private sealed class StreamTracker(UpDownCounter<long> openStreams) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                openStreams.Add(-1);
            }
        }
    }
}

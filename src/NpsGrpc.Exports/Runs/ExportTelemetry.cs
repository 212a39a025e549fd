using System.Diagnostics;
using System.Diagnostics.Metrics;
using NpsGrpc.Domain.Telemetry;

namespace NpsGrpc.Exports.Runs;

/// <summary>How one pass of <see cref="ExportRunner"/> over a run ended, exported as the <c>nps.export.outcome</c> tag.</summary>
public enum ExportRunOutcome
{
    /// <summary>The run published its manifest and shows SUCCEEDED.</summary>
    Succeeded,

    /// <summary>The run failed and shows FAILED.</summary>
    Failed,

    /// <summary>A newer attempt took the run over, or another instance started it first.</summary>
    Superseded,

    /// <summary>The target was deleted before the run started.</summary>
    Skipped,

    /// <summary>The server stopped during the run, which is left unfinished for the next pass to redo.</summary>
    Cancelled,

    /// <summary>An unexpected exception ended the pass, which the scheduler logs before it tries again.</summary>
    Error,
}

/// <summary>
/// Export instruments of the NpsGrpc meter (<c>nps.export.runs</c>, <c>nps.export.run.duration</c>) and the
/// <c>nps.export.run</c> span.
/// </summary>
public sealed class ExportTelemetry
{
    private static readonly ActivitySource Source = new(TelemetryNames.ActivitySource);

    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;

    /// <summary>Creates the instruments on the NpsGrpc meter of <paramref name="meterFactory"/>.</summary>
    public ExportTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(TelemetryNames.Meter);
        _runs = meter.CreateCounter<long>("nps.export.runs", "{run}", "Export run passes, by outcome.");
        _duration = meter.CreateHistogram(
            "nps.export.run.duration",
            "s",
            "Duration of export run passes, by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetryNames.RunSecondsBuckets });
    }

    /// <summary>Starts the span of one pass over run <paramref name="runId"/>, or returns null when nothing listens.</summary>
    public static Activity? StartRun(long runId, string targetId)
    {
        var activity = Source.StartActivity("nps.export.run");
        activity?.SetTag("nps.export.run_id", runId);
        activity?.SetTag("nps.export.target_id", targetId);
        return activity;
    }

    /// <summary>Counts a pass with its outcome and duration, and sets the outcome on <paramref name="activity"/>.</summary>
    public void RecordRun(ExportRunOutcome outcome, TimeSpan duration, Activity? activity)
    {
        var tag = new KeyValuePair<string, object?>("nps.export.outcome", OutcomeName(outcome));
        _runs.Add(1, tag);
        _duration.Record(duration.TotalSeconds, tag);
        activity?.SetTag(tag.Key, tag.Value);
        if (outcome is ExportRunOutcome.Failed or ExportRunOutcome.Error)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>Returns the tag value of an outcome: its name in lower case.</summary>
    public static string OutcomeName(ExportRunOutcome outcome) => outcome.ToString().ToLowerInvariant();
}

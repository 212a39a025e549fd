using HdrHistogram;

namespace NpsGrpc.Benchmarks.Load;

/// <summary>Latencies of one kind of call, recorded from many tasks at once, with their percentiles.</summary>
public sealed class LatencyRecorder(string name)
{
    // Microseconds from 1 µs to 10 min with three significant digits (0.1 % resolution).
    private readonly LongConcurrentHistogram _histogram = new(1, 600_000_000, 3);
    private long _errors;

    /// <summary>The call kind, as printed in the report.</summary>
    public string Name { get; } = name;

    /// <summary>Calls recorded.</summary>
    public long Count => _histogram.TotalCount;

    /// <summary>Calls that failed, which the percentiles leave out.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Records a successful call's latency.</summary>
    public void Record(TimeSpan latency) =>
        _histogram.RecordValue(Math.Clamp((long)latency.TotalMicroseconds, 1, 600_000_000));

    /// <summary>Counts a failed call.</summary>
    public void RecordError() => Interlocked.Increment(ref _errors);

    /// <summary>The latency at <paramref name="percentile"/> (0 to 100) in milliseconds, or NaN without calls.</summary>
    public double Percentile(double percentile) =>
        Count == 0 ? double.NaN : _histogram.GetValueAtPercentile(percentile) / 1000.0;
}

namespace NpsGrpc.Domain.Telemetry;

/// <summary>
/// Names of the product's own OpenTelemetry sources. The server and the export runner create their instruments and
/// spans under these names, so one <c>AddMeter</c> and one <c>AddSource</c> call export all of them.
/// </summary>
public static class TelemetryNames
{
    /// <summary>Name of the <c>System.Diagnostics.Metrics.Meter</c> of the product metrics.</summary>
    public const string Meter = "NpsGrpc";

    /// <summary>Name of the <c>System.Diagnostics.ActivitySource</c> of the product spans.</summary>
    public const string ActivitySource = "NpsGrpc";

    /// <summary>
    /// Histogram bucket bounds for request and batch durations, in seconds: from 1 ms to 1 min, about three per decade.
    /// </summary>
    public static readonly IReadOnlyList<double> RequestSecondsBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Histogram bucket bounds for export run durations, in seconds: from 100 ms to 2 h.</summary>
    public static readonly IReadOnlyList<double> RunSecondsBuckets =
        [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
}

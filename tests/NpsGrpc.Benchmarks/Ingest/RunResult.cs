namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>Figures of one timed load.</summary>
/// <param name="Method">"gRPC" or "psql".</param>
/// <param name="Streams">Concurrent StreamResponses calls, or 1 for psql.</param>
/// <param name="Rows">Rows stored, counted in the table after the load.</param>
/// <param name="Elapsed">Wall time from the first send to the last acknowledgement, or of the psql process.</param>
/// <param name="Cpu">CPU time spent during the load.</param>
/// <param name="TableBytes">Size of the loaded table with its indexes and TOAST data.</param>
/// <param name="WalBytes">Write-ahead log written by the whole cluster during the load.</param>
public sealed record RunResult(
    string Method, int Streams, long Rows, TimeSpan Elapsed, CpuTime Cpu, long TableBytes, long WalBytes)
{
    /// <summary>Rows per second of wall time.</summary>
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;

    /// <summary>Short label such as "gRPC, 2 streams".</summary>
    public string Label => Method == PsqlCopyRun.Method
        ? "psql \\copy"
        : $"gRPC, {Streams} {(Streams == 1 ? "stream" : "streams")}";
}

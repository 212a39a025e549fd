namespace NpsGrpc.Benchmarks.Load;

/// <summary>Prints the figures of a load run.</summary>
public sealed class LoadReport(
    LoadSettings settings,
    bool childServer,
    TimeSpan elapsed,
    long rows,
    LatencyRecorder batches,
    IReadOnlyList<LatencyRecorder> queries,
    ServerSampler server)
{
    private const double MiB = 1024 * 1024;

    /// <summary>Writes the report to <paramref name="output"/>.</summary>
    public void Write(TextWriter output)
    {
        var machine = MachineInfo.Read();
        double seconds = elapsed.TotalSeconds;
        long queryCount = queries.Sum(q => q.Count);

        output.WriteLine();
        output.WriteLine("Load run");
        output.WriteLine($"  machine: {machine.CpuModel}, {machine.Cores} cores, {machine.MemoryGiB:F1} GiB, {machine.OperatingSystem}");
        output.WriteLine($"  runtime: {machine.Runtime}, optimized build: {(machine.IsOptimized ? "yes" : "no")}");
        output.WriteLine(
            $"  server: {(childServer ? "built server, child process on this machine" : settings.Address)}; " +
            $"{settings.Streams} streams of {settings.BatchSize}-response batches over {settings.Surveys} survey(s), " +
            $"{settings.Queriers} queriers, " +
            $"{seconds:F1} s");
        output.WriteLine();
        output.WriteLine($"  rows/s     {rows / seconds,12:N0}   ({rows:N0} responses stored)");
        output.WriteLine($"  batches/s  {batches.Count / seconds,12:N1}   ({batches.Count:N0} acknowledged, {batches.Errors} failed calls)");
        output.WriteLine($"  queries/s  {queryCount / seconds,12:N1}   ({queryCount:N0} answered, {queries.Sum(q => q.Errors)} failed)");
        output.WriteLine();
        output.WriteLine($"  {"latency (ms)",-38} {"calls",8} {"p50",9} {"p95",9} {"p99",9} {"max",9}");
        foreach (var recorder in queries.Prepend(batches))
        {
            output.WriteLine(
                $"  {recorder.Name,-38} {recorder.Count,8:N0} {recorder.Percentile(50),9:F1} {recorder.Percentile(95),9:F1} " +
                $"{recorder.Percentile(99),9:F1} {recorder.Percentile(100),9:F1}");
        }

        output.WriteLine();
        if (!server.IsEnabled)
        {
            output.WriteLine("  server metrics: not scraped (pass --metrics-url with --address)");
            return;
        }

        output.WriteLine(
            $"  server memory: peak working set {server.PeakWorkingSet / MiB:F0} MiB, " +
            $"peak GC heap after a collection {server.PeakGcHeap / MiB:F0} MiB");
        output.WriteLine(
            $"  connection pool: peak {server.PeakPoolUsed:F0} in use of {server.PoolMax:F0}, " +
            $"peak {Zero(server.PeakPoolPending):F0} requests waiting, {Zero(server.PoolTimeouts):F0} timeouts");
        if (server.FailedScrapes > 0)
        {
            output.WriteLine($"  {server.FailedScrapes} metric scrapes failed");
        }
    }

    // Npgsql exports a pending-request or timeout series only after its first event, so an absent series means zero.
    private static double Zero(double value) => double.IsNaN(value) ? 0 : value;
}

using System.Diagnostics;
using Grpc.Core;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>Figures of the timed export run.</summary>
/// <param name="Elapsed">Wall time from the RunExport call to the GetExportRun reply that shows SUCCEEDED.</param>
/// <param name="Run">The run as GetExportRun returned it at the end.</param>
/// <param name="Memory">Memory samples of this process, the first one taken just before RunExport.</param>
/// <param name="Phases">Time line of the PostgreSQL statements that ran during the export, from samples.</param>
/// <param name="Cpu">CPU time of this process (client and server), PostgreSQL and other processes.</param>
/// <param name="Gc">Garbage collector activity of this process during the run.</param>
public sealed record ExportRunResult(
    TimeSpan Elapsed,
    ExportRun Run,
    IReadOnlyList<MemorySample> Memory,
    IReadOnlyList<StatementPhase> Phases,
    CpuTime Cpu,
    GcActivity Gc)
{
    /// <summary>The baseline memory sample, taken before RunExport.</summary>
    public MemorySample Baseline => Memory[0];

    /// <summary>Largest working set of any sample.</summary>
    public long PeakWorkingSet => Memory.Max(sample => sample.WorkingSet);

    /// <summary>Largest managed heap of any sample.</summary>
    public long PeakManagedHeap => Memory.Max(sample => sample.ManagedHeap);

    /// <summary>Server-side time from queueing the run to the start of its attempt, which the scheduler's wake-up sets.</summary>
    public TimeSpan QueueWait => Run.StartTime.ToDateTime() - Run.QueueTime.ToDateTime();

    /// <summary>Server-side time from the start of the attempt to the end of the run.</summary>
    public TimeSpan Attempt => Run.EndTime.ToDateTime() - Run.StartTime.ToDateTime();
}

/// <summary>Garbage collector activity of this process over an interval.</summary>
/// <param name="AllocatedBytes">Bytes allocated on the managed heap, by every thread.</param>
/// <param name="Gen0">Generation 0 collections, including those that also collected older generations.</param>
/// <param name="Gen1">Generation 1 collections, including generation 2 ones.</param>
/// <param name="Gen2">Generation 2 (full) collections.</param>
/// <param name="Pause">Time the collector paused the process's threads.</param>
public readonly record struct GcActivity(long AllocatedBytes, int Gen0, int Gen1, int Gen2, TimeSpan Pause)
{
    /// <summary>Reads the totals of this process so far.</summary>
    public static GcActivity Read() => new(
        GC.GetTotalAllocatedBytes(precise: false),
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        GC.GetTotalPauseDuration());

    /// <summary>Difference from an earlier reading.</summary>
    public static GcActivity operator -(GcActivity after, GcActivity before) => new(
        after.AllocatedBytes - before.AllocatedBytes,
        after.Gen0 - before.Gen0,
        after.Gen1 - before.Gen1,
        after.Gen2 - before.Gen2,
        after.Pause - before.Pause);
}

/// <summary>
/// Creates an export target over the benchmark survey and times one incremental run of it through ExportService, while
/// a <see cref="RunSampler"/> records memory and the active statements.
/// </summary>
public sealed class TimedExportRun(ExportService.ExportServiceClient client, BenchmarkDatabase database, CpuMeter meter)
{
    /// <summary>Id of the target the benchmark creates.</summary>
    public const string TargetId = "bench-export";

    /// <summary>
    /// Creates the target writing to <paramref name="destination"/>, runs it once and waits for the run to end. Throws
    /// <see cref="BenchmarkException"/> when the run fails or exports another number of rows than
    /// <paramref name="expectedRows"/>.
    /// </summary>
    public async Task<ExportRunResult> RunAsync(
        string surveyId, string destination, long expectedRows, CancellationToken cancellationToken)
    {
        var target = new ExportTarget
        {
            TargetId = TargetId,
            DisplayName = "Export benchmark",
            Destination = destination,
            TimeZone = ExportSettings.TimeZone,
        };
        target.SurveyIds.Add(surveyId);
        target.SegmentKeys.Add(ExportSettings.SegmentKeys);
        // A database kept from an earlier run still has that run's target, whose watermark would make this run empty.
        try
        {
            await client.DeleteExportTargetAsync(
                new DeleteExportTargetRequest { TargetId = TargetId }, cancellationToken: cancellationToken);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
        {
            // A fresh database has no target yet.
        }

        await Call(() => client.CreateExportTargetAsync(
            new CreateExportTargetRequest { Target = target }, cancellationToken: cancellationToken).ResponseAsync);

        // The baseline is taken after a full collection, so that garbage left by the load does not count as baseline
        // and then vanish during the run.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        await using var sampler = await RunSampler.StartAsync(
            database, meter, ExportSettings.SampleInterval, cancellationToken);
        var cpuBefore = meter.Read();
        var gcBefore = GcActivity.Read();
        var stopwatch = Stopwatch.StartNew();
        var queued = await Call(() => client.RunExportAsync(
            new RunExportRequest { TargetId = TargetId }, cancellationToken: cancellationToken).ResponseAsync);
        var run = queued.Run;
        while (run.State is not (ExportRunState.Succeeded or ExportRunState.Failed))
        {
            await Task.Delay(ExportSettings.PollInterval, cancellationToken);
            var reply = await Call(() => client.GetExportRunAsync(
                new GetExportRunRequest { TargetId = TargetId, RunId = run.RunId },
                cancellationToken: cancellationToken).ResponseAsync);
            run = reply.Run;
        }

        var elapsed = stopwatch.Elapsed;
        var cpu = meter.Read() - cpuBefore;
        var gc = GcActivity.Read() - gcBefore;
        await sampler.StopAsync();

        if (run.State == ExportRunState.Failed)
        {
            throw new BenchmarkException($"Export run {run.RunId} failed: {run.Error}");
        }

        if (run.RowsWritten != expectedRows)
        {
            throw new BenchmarkException(
                $"Export run {run.RunId} wrote {run.RowsWritten:N0} fact rows; expected {expectedRows:N0}.");
        }

        return new ExportRunResult(
            elapsed, run, sampler.Memory.ToList(), StatementPhases.Summarize(sampler.Statements), cpu, gc);
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException exception)
        {
            throw new BenchmarkException($"An ExportService call failed with {exception.StatusCode}: {exception.Status.Detail}");
        }
    }
}

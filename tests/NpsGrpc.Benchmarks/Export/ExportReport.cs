using System.Globalization;
using System.Runtime;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>Prints the parameters, progress and figures of the export benchmark.</summary>
public sealed class ExportReport(TextWriter output)
{
    private const double MiB = 1024.0 * 1024.0;

    // Memory samples printed over the run's time line, besides the baseline and the peak.
    private const int PrintedMemorySamples = 10;

    // Statement phases shorter than this are summed into one line.
    private static readonly TimeSpan ShortPhase = TimeSpan.FromSeconds(0.5);

    /// <summary>Prints the command parameters, machine and build.</summary>
    public void PrintParameters(ExportSettings settings, MachineInfo machine)
    {
        Line("NpsGrpc export benchmark");
        string comments = settings.CommentBytes > 0
            ? $"a comment of {settings.CommentBytes:N0} bytes on every response"
            : "the generator's short comments on about 30 % of the responses";
        Line($"  parameters: rows {settings.Rows:N0}, {comments}, seed {settings.Seed}");
        Line($"  target:     time zone {ExportSettings.TimeZone}, segment keys " +
             $"{string.Join(", ", ExportSettings.SegmentKeys)}, default row groups; attribute keys " +
             $"{string.Join(", ", ExportSettings.AttributeKeys)}");
        Line($"  machine:    {machine.CpuModel}, {machine.Cores} cores, {machine.MemoryGiB:F1} GiB memory");
        Line($"  system:     {machine.OperatingSystem}, {machine.Runtime}, server GC " +
             $"{(GCSettings.IsServerGC ? "on" : "off")}");
        string build = machine.IsOptimized ? "Release (optimized)" : "Debug: figures are not representative";
        Line($"  build:      {build}");
    }

    /// <summary>Prints the PostgreSQL version and settings.</summary>
    public void PrintPostgreSql(PostgreSqlInfo info, string database)
    {
        Line($"  PostgreSQL: {info.Version}, database {database}");
        Line($"  settings:   {string.Join(", ", info.Settings.Select(setting => $"{setting.Name}={setting.Value}"))}");
    }

    /// <summary>Prints the folder that contains the files of the run.</summary>
    public void PrintWorkFolder(string folder) =>
        Line($"  files:      {folder} (deleted at the end)");

    /// <summary>Prints the start of the load.</summary>
    public void PrintLoadStart() =>
        Line($"Loading with binary COPY into responses, {ExportSettings.LoadConnections} connections, batches of " +
             $"{ExportSettings.BatchSize:N0} (not timed as part of the comparison):");

    /// <summary>Prints the figures of the load and of VACUUM ANALYZE.</summary>
    public void PrintLoad(int rows, TimeSpan load, TimeSpan vacuum, long tableBytes) =>
        Line($"Loaded {rows:N0} responses in {load.TotalSeconds:F1} s; VACUUM ANALYZE and CHECKPOINT took " +
             $"{vacuum.TotalSeconds:F1} s; responses with indexes: {tableBytes / MiB:N0} MiB");

    /// <summary>Prints the query of the psql read-out.</summary>
    public void PrintPsqlQuery(string query) =>
        Line($"psql read-out: \\copy ({query}) TO '<file>' WITH (FORMAT binary)");

    /// <summary>Prints the figures of one psql read-out.</summary>
    public void PrintPsql(PsqlReadOutResult result, string kind) =>
        Line($"  psql \\copy ({kind}): {result.Elapsed.TotalSeconds:F2} s, {result.Rows:N0} rows, " +
             $"{result.Rows / result.Elapsed.TotalSeconds:N0} rows/s, {result.Bytes / MiB:N0} MiB; " +
             $"CPU: psql {result.Cpu.Children:F1} s, PostgreSQL {result.Cpu.PostgreSql:F1} s, " +
             $"this process {result.Cpu.Process:F1} s, other processes {result.Cpu.Other:F1} s, host steal {result.Cpu.Steal:F1} s");

    /// <summary>Prints the figures of the export run: time, output, CPU, statement phases and memory.</summary>
    public void PrintExport(ExportRunResult result, int rows)
    {
        var run = result.Run;
        Line($"Export run {run.RunId}: {result.Elapsed.TotalSeconds:F2} s from RunExport to SUCCEEDED, " +
             $"{rows / result.Elapsed.TotalSeconds:N0} rows/s");
        Line($"  server side: queued {result.QueueWait.TotalSeconds:F2} s before the attempt started, attempt " +
             $"{result.Attempt.TotalSeconds:F2} s (start_time to end_time)");
        Line($"  wrote {run.RowsWritten:N0} fact rows, {run.FilesWritten:N0} files, {run.BytesWritten / MiB:N1} MiB");
        Line($"  CPU: this process (server and client) {result.Cpu.Process:F1} s, PostgreSQL " +
             $"{result.Cpu.PostgreSql:F1} s, other processes {result.Cpu.Other:F1} s, host steal {result.Cpu.Steal:F1} s");
        Line($"  time line of the PostgreSQL statements of the run, from samples every " +
             $"{ExportSettings.SampleInterval.TotalMilliseconds:F0} ms (approximate; stretches under " +
             $"{ShortPhase.TotalSeconds:F1} s are summed at the end):");
        foreach (var phase in result.Phases.Where(phase => phase.Duration >= ShortPhase))
        {
            Line($"    {phase.Start.TotalSeconds,7:F1} to {phase.End.TotalSeconds,7:F1} s " +
                 $"({phase.Duration.TotalSeconds,5:F1} s)  {phase.Label}");
            Line($"      CPU: this process {phase.Cpu.Process:F1} s, PostgreSQL {phase.Cpu.PostgreSql:F1} s, " +
                 $"other processes {phase.Cpu.Other:F1} s");
        }

        var shortPhases = result.Phases.Where(phase => phase.Duration < ShortPhase).ToList();
        var shortTime = TimeSpan.FromTicks(shortPhases.Sum(phase => phase.Duration.Ticks));
        Line($"    {shortPhases.Count} shorter stretches, {shortTime.TotalSeconds:F1} s in all");

        var gc = result.Gc;
        Line($"  garbage collector in this process: {gc.AllocatedBytes / MiB:N0} MiB allocated, collections " +
             $"gen0 {gc.Gen0}, gen1 {gc.Gen1}, gen2 {gc.Gen2}, pauses {gc.Pause.TotalSeconds:F1} s in all");

        var baseline = result.Baseline;
        Line($"  memory of this process: baseline before the run (after a full GC) working set " +
             $"{baseline.WorkingSet / MiB:N0} MiB, managed heap {baseline.ManagedHeap / MiB:N0} MiB");
        Line($"    peak during the run: working set {result.PeakWorkingSet / MiB:N0} MiB " +
             $"(+{(result.PeakWorkingSet - baseline.WorkingSet) / MiB:N0} MiB), managed heap " +
             $"{result.PeakManagedHeap / MiB:N0} MiB (+{(result.PeakManagedHeap - baseline.ManagedHeap) / MiB:N0} MiB)");
        Line("    samples (time, working set, managed heap):");
        int step = Math.Max(1, result.Memory.Count / PrintedMemorySamples);
        for (int index = 0; index < result.Memory.Count; index += step)
        {
            var sample = result.Memory[index];
            Line($"      {sample.Elapsed.TotalSeconds,7:F1} s  {sample.WorkingSet / MiB,7:N0} MiB  " +
                 $"{sample.ManagedHeap / MiB,7:N0} MiB");
        }
    }

    /// <summary>Prints the figures of the in-process read of the fact COPY, beside the export's fact phase.</summary>
    public void PrintNpgsql(NpgsqlReadOutResult result, ExportRunResult export)
    {
        Line($"  Npgsql in this process, the export's fact COPY decoded and dropped: {result.Elapsed.TotalSeconds:F2} s, " +
             $"{result.Rows / result.Elapsed.TotalSeconds:N0} rows/s; CPU: this process {result.Cpu.Process:F1} s, " +
             $"PostgreSQL {result.Cpu.PostgreSql:F1} s, other processes {result.Cpu.Other:F1} s, host steal {result.Cpu.Steal:F1} s");
        var fact = export.Phases.Where(phase => phase.Label == StatementPhases.FactRows).ToList();
        if (fact.Count > 0)
        {
            var factTime = TimeSpan.FromTicks(fact.Sum(phase => phase.Duration.Ticks));
            Line($"    the export's fact phase took {factTime.TotalSeconds:F1} s, " +
                 $"{factTime / result.Elapsed:F2} x this read");
        }
    }

    /// <summary>Prints how the DuckDB table was made.</summary>
    public void PrintDuckDbLoad(DuckDbParquet duckDb) =>
        Line($"DuckDB {duckDb.Version}: exported {duckDb.Rows:N0} rows from PostgreSQL as CSV in " +
             $"{duckDb.ExportTime.TotalSeconds:F1} s and loaded them into an in-memory table in " +
             $"{duckDb.LoadTime.TotalSeconds:F1} s (not timed)");

    /// <summary>Prints the row count DuckDB reads from the exported fact files.</summary>
    public void PrintExportedRows(long rows) =>
        Line($"  DuckDB reads {rows:N0} rows from the exported fact_response files");

    /// <summary>Prints the figures of one DuckDB Parquet write.</summary>
    public void PrintDuckDbWrite(DuckDbWriteResult result, string kind) =>
        Line($"  DuckDB COPY TO parquet, {kind}: {result.Elapsed.TotalSeconds:F2} s, {result.Files:N0} files, " +
             $"{result.Bytes / MiB:N1} MiB; CPU: this process {result.Cpu.Process:F1} s, " +
             $"other processes {result.Cpu.Other:F1} s");

    /// <summary>
    /// Prints the times of the first round side by side, the ratios and whether the target holds for the median of the
    /// rounds' export / psql ratios. <paramref name="scaledRatios"/> are the same ratios scaled by PostgreSQL's CPU time
    /// for the COPY in the two timings of each round. They are printed for reference, and the target is judged on the
    /// plain ratios.
    /// </summary>
    public void PrintSummary(
        int rows,
        ExportRunResult export,
        PsqlReadOutResult psql,
        NpgsqlReadOutResult npgsql,
        DuckDbWriteResult duckDbFile,
        DuckDbWriteResult duckDbPartitioned,
        IReadOnlyList<double> ratios,
        IReadOnlyList<double> scaledRatios)
    {
        double toPsql = Median(ratios);
        double toDuckDb = export.Elapsed / duckDbFile.Elapsed;
        Line($"Summary ({rows:N0} rows; target: export at most {ExportSettings.TargetRatio:F1} x the psql read-out):");
        Line($"  {"step",-42} {"time",10} {"rows/s",12}");
        Row("export run (RunExport to SUCCEEDED)", export.Elapsed, rows);
        Row("psql \\copy TO binary file", psql.Elapsed, rows);
        Row("Npgsql read of the fact COPY, in process", npgsql.Elapsed, rows);
        Row("DuckDB COPY TO parquet, one file", duckDbFile.Elapsed, rows);
        Row("DuckDB COPY TO parquet, by response_date", duckDbPartitioned.Elapsed, rows);
        Line(ratios.Count == 1
            ? $"  export / psql:   {toPsql:F2}"
            : $"  export / psql:   {toPsql:F2}, the median of {ratios.Count} rounds: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}");
        if (scaledRatios.All(double.IsFinite))
        {
            Line($"  export / psql at one host speed: {Median(scaledRatios):F2}, the median of {scaledRatios.Count} rounds: " +
                 $"{string.Join(", ", scaledRatios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}");
            Line("    (each ratio times PostgreSQL's CPU for psql's read-out over its CPU for the export's COPY, the same statement)");
        }

        Line($"  export / DuckDB: {toDuckDb:F2} (one file), " +
             $"{export.Elapsed / duckDbPartitioned.Elapsed:F2} (by response_date)");
        Line($"  peak memory during the export: working set {export.PeakWorkingSet / MiB:N0} MiB, " +
             $"{(export.PeakWorkingSet - export.Baseline.WorkingSet) / MiB:N0} MiB above the baseline");
        string measure = ratios.Count == 1 ? "the export took" : $"over {ratios.Count} rounds, the median export took";
        Line(toPsql <= ExportSettings.TargetRatio
            ? $"Target met: {measure} {toPsql:F2} x the psql read-out."
            : $"Target NOT met: {measure} {toPsql:F2} x the psql read-out, above {ExportSettings.TargetRatio:F1}.");
    }

    private void Row(string label, TimeSpan elapsed, int rows) =>
        Line($"  {label,-42} {elapsed.TotalSeconds,8:F2} s {rows / elapsed.TotalSeconds,12:N0}");

    private void Line(string text) => output.WriteLine(text);

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

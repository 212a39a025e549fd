using System.Runtime;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Prints the parameters, progress and figures of the query benchmark.</summary>
public sealed class QueriesReport(TextWriter output)
{
    /// <summary>Prints the command parameters, machine and build.</summary>
    public void PrintParameters(QueriesSettings settings, MachineInfo machine, IReadOnlyList<string> rollupKeys)
    {
        Line("NpsGrpc query benchmark");
        Line($"  parameters: rows {settings.Rows:N0}, repeats {settings.Repeats} after {QueriesSettings.WarmUps} " +
             $"warm-ups (raw-row path {settings.RawRepeats} after {QueriesSettings.RawWarmUps}), " +
             $"seed {settings.Seed}, " +
             $"load with {QueriesSettings.Streams} streams and batches of {QueriesSettings.BatchSize:N0}");
        Line($"  rollup keys: {string.Join(", ", rollupKeys)} (response attributes)");
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

    /// <summary>Prints the start of the load.</summary>
    public void PrintLoadStart(string loadAverage) =>
        Line($"Loading through StreamResponses (load average {loadAverage}):");

    /// <summary>Prints the figures of the load.</summary>
    public void PrintLoad(StreamingLoadResult load, int rows, CpuTime cpu, string loadAverage)
    {
        Line($"Loaded {rows:N0} responses in {load.Elapsed.TotalSeconds:F1} s, " +
             $"{rows / load.Elapsed.TotalSeconds:N0} rows/s ({load.Acknowledgements.Batches:N0} batches); " +
             $"generating the responses took {load.Generating.TotalSeconds:F1} s of that on the client");
        Line($"  CPU: client+server {cpu.Process:F1} s, PostgreSQL {cpu.PostgreSql:F1} s, " +
             $"other processes {cpu.Other:F1} s; load average after {loadAverage}");
    }

    /// <summary>Prints the time of VACUUM ANALYZE.</summary>
    public void PrintVacuum(TimeSpan elapsed) =>
        Line($"VACUUM ANALYZE of the tables took {elapsed.TotalSeconds:F1} s");

    /// <summary>Prints the rows and sizes of the tables.</summary>
    public void PrintTables(IReadOnlyList<TableSize> sizes)
    {
        foreach (var size in sizes)
        {
            Line($"  {size.Table,-24} {size.Rows,12:N0} rows {size.Bytes / 1024.0 / 1024.0,10:F1} MiB");
        }
    }

    /// <summary>Prints how the DuckDB copy was made.</summary>
    public void PrintDuckDb(DuckDbReference duckDb) =>
        Line($"DuckDB {duckDb.Version}: exported {duckDb.Rows:N0} rows from PostgreSQL as CSV in " +
             $"{duckDb.ExportTime.TotalSeconds:F1} s and loaded them into an in-memory table in " +
             $"{duckDb.LoadTime.TotalSeconds:F1} s (not timed)");

    /// <summary>Prints the time zone samples and whether DuckDB and .NET agree.</summary>
    public void PrintTimeZoneCheck(IReadOnlyList<TimeZoneSample> samples)
    {
        bool agree = samples.All(sample => sample.Agrees);
        Line($"Time zone check, {QuestionSet.TimeZone}: DuckDB and .NET (the server's bucket edges) " +
             (agree ? "agree on every sample" : "DISAGREE"));
        foreach (var sample in samples.Where(sample => !sample.Agrees))
        {
            Line($"  {sample.Utc:yyyy-MM-dd HH:mm:ss} UTC: DuckDB {sample.DuckDbLocal} (week {sample.DuckDbWeek}), " +
                 $".NET {sample.DotNetLocal} (week {sample.DotNetWeek})");
        }
    }

    /// <summary>Prints the start of the timed questions.</summary>
    public void PrintQuestionsStart(DateTime lastInstant, string loadAverage) =>
        Line($"Questions (last responded_at {lastInstant:yyyy-MM-dd HH:mm:ss.ffffff} UTC; " +
             $"load average {loadAverage}):");

    /// <summary>Prints the figures of one question.</summary>
    public void PrintQuestion(QuestionResult result)
    {
        Line($"  {result.Label} ({result.Keys} keys: overall figures, groups or buckets):");
        Line($"    rollup path  {Timing(result.Rollup)}");
        Line($"    raw rows     {Timing(result.Raw)}");
        Line($"    DuckDB       {Timing(result.DuckDb)}");
        string duckDb = result.DuckDbDifferences.Count == 0
            ? "equal to the server's"
            : $"DIFFERENT in {result.DuckDbDifferences.Count} groups or buckets (server vs DuckDB): " +
              string.Join("; ", result.DuckDbDifferences.Take(5));
        Line($"    counts: rollup and raw rows equal; DuckDB {duckDb}");
    }

    /// <summary>Prints the CPU used by other processes while the questions ran.</summary>
    public void PrintQuestionsEnd(CpuTime cpu, string loadAverage) =>
        Line($"  CPU during the questions: client+server {cpu.Process:F1} s, PostgreSQL {cpu.PostgreSql:F1} s, " +
             $"other processes {cpu.Other:F1} s; load average after {loadAverage}");

    /// <summary>Prints one line per question with the medians, the ratio to DuckDB and the targets.</summary>
    public void PrintSummary(IReadOnlyList<QuestionResult> results)
    {
        Line($"Summary (medians; targets: rollup path under {QuestionResult.TargetMedian.TotalMilliseconds:F0} ms " +
             "and no slower than DuckDB):");
        Line($"  {"question",-32} {"rollup",10} {"raw rows",10} {"DuckDB",10} {"ratio",7}  targets");
        foreach (var result in results)
        {
            Line($"  {result.Label,-32} {Ms(result.Rollup.Median),10} {Ms(result.Raw.Median),10} " +
                 $"{Ms(result.DuckDb.Median),10} {result.RatioToDuckDb,7:F2}  " +
                 (result.MeetsTargets ? "met" : "NOT met"));
        }

        int met = results.Count(result => result.MeetsTargets);
        Line($"Targets met by {met} of {results.Count} questions.");
    }

    private static string Timing(QueryTiming timing) =>
        $"median {Ms(timing.Median)}, min {Ms(timing.Min)}, max {Ms(timing.Max)} over " +
        (timing.Runs.Count == 1 ? "1 run" : $"{timing.Runs.Count} runs");

    private static string Ms(TimeSpan time) => $"{time.TotalMilliseconds:F1} ms";

    private void Line(string text) => output.WriteLine(text);
}

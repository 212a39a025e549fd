using NpsGrpc.Benchmarks.Generation;

namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>Prints the parameters, progress and figures of the ingest benchmark.</summary>
public sealed class IngestReport(TextWriter output)
{
    /// <summary>The product's target for gRPC rows/s divided by psql \copy rows/s.</summary>
    public const double TargetRatio = 0.5;

    /// <summary>Prints the command parameters, machine and build.</summary>
    public void PrintParameters(IngestSettings settings, MachineInfo machine)
    {
        Line("NpsGrpc ingest benchmark");
        Line($"  parameters: rows {settings.Rows:N0}, batch size {settings.BatchSize:N0}, " +
             $"streams {string.Join(" ", settings.Streams)}, seed {settings.Seed}, rounds {settings.Rounds}");
        Line($"  machine:    {machine.CpuModel}, {machine.Cores} cores, {machine.MemoryGiB:F1} GiB memory");
        Line($"  system:     {machine.OperatingSystem}, {machine.Runtime}, server GC " +
             $"{(System.Runtime.GCSettings.IsServerGC ? "on" : "off")}");
        string build = machine.IsOptimized ? "Release (optimized)" : "Debug: figures are not representative";
        Line($"  build:      {build}");
    }

    /// <summary>Prints the PostgreSQL version and settings.</summary>
    public void PrintPostgreSql(PostgreSqlInfo info, string database)
    {
        Line($"  PostgreSQL: {info.Version}, database {database}");
        Line($"  settings:   {string.Join(", ", info.Settings.Select(setting => $"{setting.Name}={setting.Value}"))}");
    }

    /// <summary>Prints the shape of the generated responses.</summary>
    public void PrintGenerated(IReadOnlyList<GeneratedResponse> responses, int batches, TimeSpan elapsed)
    {
        double count = Math.Max(1, responses.Count);
        double promoters = responses.Count(response => response.Score >= 9) / count;
        double detractors = responses.Count(response => response.Score <= 6) / count;
        double comments = responses.Count(response => response.Comment is not null) / count;
        int customers = responses.Select(response => response.CustomerId).Distinct().Count();
        Line($"Generated {responses.Count:N0} responses in {elapsed.TotalSeconds:F1} s (not timed): " +
             $"{promoters:P1} promoters, {1 - promoters - detractors:P1} passives, {detractors:P1} detractors " +
             $"(NPS {(promoters - detractors) * 100:F1}), {comments:P1} with a comment, {customers:N0} customers, " +
             $"{batches:N0} batches");
    }

    /// <summary>Prints where the CSV file for psql was written.</summary>
    public void PrintCsvWritten(string path, long bytes, TimeSpan elapsed) =>
        Line($"Wrote {path} ({bytes / 1024.0 / 1024.0:F1} MiB) in {elapsed.TotalSeconds:F1} s (not timed)");

    /// <summary>Prints the start of a round.</summary>
    public void PrintRoundStart(int round, bool rpcFirst) =>
        Line($"Round {round} ({(rpcFirst ? "gRPC first" : "psql first")}):");

    /// <summary>Prints the figures of one timed load.</summary>
    public void PrintRun(RunResult result)
    {
        var cpu = result.Cpu;
        string cpuText = result.Method == PsqlCopyRun.Method
            ? $"psql {cpu.Children:F1} s"
            : $"client+server {cpu.Process:F1} s";
        Line($"  {result.Label,-16} {result.Rows,11:N0} rows {result.Elapsed.TotalSeconds,7:F2} s " +
             $"{result.RowsPerSecond,10:N0} rows/s");
        Line($"    CPU: {cpuText}, PostgreSQL {cpu.PostgreSql:F1} s, other processes {cpu.Other:F1} s; " +
             $"table {Mebibytes(result.TableBytes)} MiB, WAL {Mebibytes(result.WalBytes)} MiB");
    }

    /// <summary>Prints the mean rate of each method and the ratio of the best gRPC variant to psql.</summary>
    public void PrintSummary(IReadOnlyList<RunResult> results)
    {
        Line("Summary (mean of the runs of each kind):");
        var psqlRuns = results.Where(result => result.Method == PsqlCopyRun.Method).ToList();
        double psqlRate = psqlRuns.Average(result => result.RowsPerSecond);
        Line($"  {"psql \\copy",-16} {psqlRate,10:N0} rows/s over {Runs(psqlRuns.Count)} " +
             $"({string.Join(", ", psqlRuns.Select(result => $"{result.RowsPerSecond:N0}"))})");

        var best = (Label: string.Empty, Ratio: 0.0);
        var rpcGroups = results.Where(result => result.Method == RpcIngestRun.Method).GroupBy(result => result.Label);
        foreach (var group in rpcGroups)
        {
            double rate = group.Average(result => result.RowsPerSecond);
            double ratio = rate / psqlRate;
            Line($"  {group.Key,-16} {rate,10:N0} rows/s over {Runs(group.Count())}, ratio to psql {ratio:F2}");
            if (ratio > best.Ratio)
            {
                best = (group.Key, ratio);
            }
        }

        string verdict = best.Ratio >= TargetRatio ? "met" : "NOT met";
        Line($"Ratio (gRPC rows/s / psql rows/s): {best.Ratio:F2}, best with {best.Label}; " +
             $"target >= {TargetRatio:F1} {verdict}");
    }

    private static string Mebibytes(long bytes) => $"{bytes / 1024.0 / 1024.0:F0}";

    private static string Runs(int count) => count == 1 ? "1 run" : $"{count} runs";

    private void Line(string text) => output.WriteLine(text);
}

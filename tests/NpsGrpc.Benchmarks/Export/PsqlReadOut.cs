using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>Figures of one psql read-out.</summary>
/// <param name="Elapsed">Wall time from starting psql to its exit.</param>
/// <param name="Rows">Rows psql reported.</param>
/// <param name="Bytes">Size of the file psql wrote.</param>
/// <param name="Cpu">CPU time of this process, psql, PostgreSQL and other processes.</param>
public sealed record PsqlReadOutResult(TimeSpan Elapsed, long Rows, long Bytes, CpuTime Cpu);

/// <summary>
/// Reads the rows an export reads with psql's <c>\copy (SELECT ...) TO 'file' WITH (FORMAT binary)</c>, run as a child
/// process the way the ingest benchmark runs psql, as the reference for the export's time.
/// </summary>
public static class PsqlReadOut
{
    /// <summary>
    /// The query of the read-out: the export's own fact statement (ExportSource.ResponsesQuery) for the first run of a
    /// target over <paramref name="surveyId"/>, which reads the load sequence range above -1 up to
    /// <paramref name="highMark"/>.
    /// </summary>
    public static string Query(string surveyId, long highMark) =>
        ExportSource.ResponsesQuery(new ResponseSelection([surveyId], -1, highMark), ExportSettings.AttributeKeys);

    /// <summary>
    /// Runs <c>psql -c "\copy (QUERY) TO 'FILE' WITH (FORMAT binary)"</c> and returns its figures. Throws
    /// <see cref="BenchmarkException"/> when psql is missing or fails.
    /// </summary>
    public static async Task<PsqlReadOutResult> RunAsync(
        NpgsqlConnectionStringBuilder connection,
        string query,
        string outputPath,
        CpuMeter meter,
        CancellationToken cancellationToken)
    {
        var start = PsqlCommand.Copy(
            connection, $"\\copy ({query}) TO '{outputPath}' WITH (FORMAT binary)", outputPath, "output path");

        var cpuBefore = meter.Read();
        var stopwatch = Stopwatch.StartNew();
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception exception)
        {
            throw new BenchmarkException(
                $"Could not start psql: {exception.Message}. Install the PostgreSQL client (psql) and put it on PATH.");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var elapsed = stopwatch.Elapsed;
            var cpu = meter.Read() - cpuBefore;
            string reported = (await output).Trim();
            if (process.ExitCode != 0)
            {
                throw new BenchmarkException(
                    $"psql \\copy failed with exit code {process.ExitCode}: {(await error).Trim()}");
            }

            // psql prints "COPY <rows>" after a successful \copy.
            long rows = reported.StartsWith("COPY ", StringComparison.Ordinal)
                && long.TryParse(reported[5..], CultureInfo.InvariantCulture, out long count)
                    ? count
                    : throw new BenchmarkException($"psql \\copy printed '{reported}' instead of 'COPY <rows>'.");
            return new PsqlReadOutResult(elapsed, rows, new FileInfo(outputPath).Length, cpu);
        }
    }
}

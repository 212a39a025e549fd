using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

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
    /// The query of the read-out: the columns the export's fact COPY selects (see ExportSource.OpenResponsesAsync), in
    /// its order, with one value per attribute key.
    /// </summary>
    public static string Query(string surveyId)
    {
        var sql = new StringBuilder(
            "SELECT responded_at, received_at, score, weight, survey_id, response_id, customer_id, comment");
        foreach (string key in ExportSettings.AttributeKeys)
        {
            sql.Append(", attributes ->> '").Append(key).Append('\'');
        }

        // Survey ids are lowercase letters, digits and hyphens, so the literal needs no escaping.
        return sql.Append(" FROM responses WHERE survey_id = '").Append(surveyId).Append('\'').ToString();
    }

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

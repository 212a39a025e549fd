using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>Loads a CSV file with psql's \copy, run as a child process, as a reference for the gRPC path.</summary>
public static class PsqlCopyRun
{
    /// <summary>Method name in results.</summary>
    public const string Method = "psql";

    /// <summary>
    /// Runs <c>psql -c "\copy TABLE (COLUMNS) FROM 'FILE' WITH (FORMAT csv)"</c> and returns the row count psql
    /// reports. Throws <see cref="BenchmarkException"/> when psql is missing or fails.
    /// </summary>
    public static async Task<long> RunAsync(
        NpgsqlConnectionStringBuilder connection, string table, string csvPath, CancellationToken cancellationToken)
    {
        var start = PsqlCommand.Copy(
            connection, $"\\copy {table} ({CsvFile.Columns}) FROM '{csvPath}' WITH (FORMAT csv)", csvPath, "CSV path");

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
            string reported = (await output).Trim();
            if (process.ExitCode != 0)
            {
                throw new BenchmarkException(
                    $"psql \\copy failed with exit code {process.ExitCode}: {(await error).Trim()}");
            }

            // psql prints "COPY <rows>" after a successful \copy.
            return reported.StartsWith("COPY ", StringComparison.Ordinal)
                && long.TryParse(reported[5..], CultureInfo.InvariantCulture, out long rows)
                    ? rows
                    : throw new BenchmarkException($"psql \\copy printed '{reported}' instead of 'COPY <rows>'.");
        }
    }
}

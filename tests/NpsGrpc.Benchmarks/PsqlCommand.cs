using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace NpsGrpc.Benchmarks;

/// <summary>Builds the psql process that runs one <c>\copy</c> command against the benchmark database.</summary>
internal static class PsqlCommand
{
    /// <summary>
    /// Returns the start information of <c>psql -c COMMAND</c> on <paramref name="connection"/>, with its output
    /// redirected. Throws <see cref="BenchmarkException"/> when <paramref name="path"/>, which the command names, has a
    /// single quote that \copy cannot contain.
    /// </summary>
    public static ProcessStartInfo Copy(NpgsqlConnectionStringBuilder connection, string command, string path, string pathDescription)
    {
        if (path.Contains('\'', StringComparison.Ordinal))
        {
            throw new BenchmarkException(
                $"The {pathDescription} {path} contains a single quote, which the \\copy command cannot contain. " +
                "Set TMPDIR to a folder without one.");
        }

        var start = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "-X", "-v", "ON_ERROR_STOP=1",
            "-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture),
            "-U", connection.Username ?? "postgres", "-d", connection.Database!,
            "-c", command,
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (connection.Password is { Length: > 0 } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }

        return start;
    }
}

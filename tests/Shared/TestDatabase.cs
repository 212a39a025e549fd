using System.Diagnostics;
using Npgsql;

namespace NpsGrpc.Testing;

/// <summary>
/// A fresh PostgreSQL database for one test run, created in the private 'test' cluster and dropped at the end.
/// The cluster comes from NPS_TEST_CONNECTION_STRING (set by 'make test'), or is started with
/// scripts/pg-cluster.sh when that variable is unset.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private TestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>Database name.</summary>
    public string Name { get; }

    /// <summary>Connection string of the database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates a database with a unique name.</summary>
    public static async Task<TestDatabase> CreateAsync(string prefix = "nps_test")
    {
        string clusterConnectionString = Environment.GetEnvironmentVariable("NPS_TEST_CONNECTION_STRING") is { Length: > 0 } configured
            ? configured
            : StartCluster();

        var admin = new NpgsqlConnectionStringBuilder(clusterConnectionString) { Database = "postgres", Pooling = false };
        string name = $"{prefix}_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var database = new NpgsqlConnectionStringBuilder(clusterConnectionString) { Database = name };
        return new TestDatabase(admin.ConnectionString, name, database.ConnectionString);
    }

    /// <summary>Finds the repository root: the nearest folder above the test binaries that contains NpsGrpc.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NpsGrpc.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"NpsGrpc.sln not found above {AppContext.BaseDirectory}.");
    }

    private static string StartCluster()
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot(), "scripts", "pg-cluster.sh"), "start test")
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/pg-cluster.sh start test failed with exit code {process.ExitCode}.");
        }

        return output;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

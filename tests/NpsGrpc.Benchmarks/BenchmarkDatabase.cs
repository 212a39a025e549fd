using Npgsql;

namespace NpsGrpc.Benchmarks;

/// <summary>
/// A database with a unique name, created in the benchmark cluster for one run and dropped when disposed.
/// </summary>
public sealed class BenchmarkDatabase : IAsyncDisposable
{
    /// <summary>Environment variable with the connection string of the benchmark cluster.</summary>
    public const string ConnectionStringVariable = "NPS_BENCH_CONNECTION_STRING";

    private readonly string _maintenanceConnectionString;
    private readonly string _adminConnectionString;

    private BenchmarkDatabase(string maintenanceConnectionString, string name, NpgsqlConnectionStringBuilder database)
    {
        _maintenanceConnectionString = maintenanceConnectionString;
        Name = name;
        Connection = database;
        ConnectionString = database.ConnectionString;

        // VACUUM, CHECKPOINT and counts after a large load can outlast Npgsql's default 30 s command timeout.
        _adminConnectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { CommandTimeout = 0 }
            .ConnectionString;
    }

    /// <summary>Database name.</summary>
    public string Name { get; }

    /// <summary>Connection string of the database, with the cluster's settings unchanged, for the server.</summary>
    public string ConnectionString { get; }

    /// <summary>Host, port, user and password of the database, for tools such as psql.</summary>
    public NpgsqlConnectionStringBuilder Connection { get; }

    /// <summary>
    /// Creates a database in the cluster named by <see cref="ConnectionStringVariable"/>. Throws
    /// <see cref="BenchmarkException"/> when the variable is unset or the cluster cannot be reached.
    /// </summary>
    public static async Task<BenchmarkDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        string cluster = ClusterConnectionString();
        var maintenance = new NpgsqlConnectionStringBuilder(cluster) { Database = "postgres", Pooling = false };
        string name = $"nps_bench_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (NpgsqlException exception)
        {
            throw new BenchmarkException(
                $"Could not create a database in the cluster at {maintenance.Host}:{maintenance.Port}: " +
                $"{exception.Message}. Check that the cluster runs and that {ConnectionStringVariable} is right.");
        }

        var database = new NpgsqlConnectionStringBuilder(cluster) { Database = name };
        return new BenchmarkDatabase(maintenance.ConnectionString, name, database);
    }

    /// <summary>
    /// Uses the database <paramref name="name"/>, which an earlier run left in the cluster, and keeps it when disposed.
    /// Throws <see cref="BenchmarkException"/> when the variable is unset or the database cannot be reached.
    /// </summary>
    public static async Task<BenchmarkDatabase> OpenExistingAsync(string name, CancellationToken cancellationToken)
    {
        string cluster = ClusterConnectionString();
        var maintenance = new NpgsqlConnectionStringBuilder(cluster) { Database = "postgres", Pooling = false };
        var database = new NpgsqlConnectionStringBuilder(cluster) { Database = name };
        var existing = new BenchmarkDatabase(maintenance.ConnectionString, name, database) { KeepOnDispose = true };
        try
        {
            await using var connection = await existing.OpenAsync(cancellationToken);
        }
        catch (NpgsqlException exception)
        {
            throw new BenchmarkException(
                $"Could not open the database {name} at {maintenance.Host}:{maintenance.Port}: {exception.Message}");
        }

        return existing;
    }

    private static string ClusterConnectionString() =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } cluster
            ? cluster
            : throw new BenchmarkException(
                $"{ConnectionStringVariable} is not set. Set it to a PostgreSQL cluster where the benchmark " +
                "may create and drop databases, for example " +
                $"{ConnectionStringVariable}=$(scripts/pg-cluster.sh start bench), or run 'make bench'.");

    /// <summary>Opens a connection to the database without a command timeout.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Runs each statement on its own, outside a transaction, as VACUUM and CHECKPOINT require.</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken, params string[] statements)
    {
        await using var connection = await OpenAsync(cancellationToken);
        foreach (string statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Runs a query that returns one value.</summary>
    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Whether <see cref="DisposeAsync"/> leaves the database in place for inspection.</summary>
    public bool KeepOnDispose { get; set; }

    /// <summary>
    /// Drops the database, ending any connection that is still open to it, unless <see cref="KeepOnDispose"/> is set.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (KeepOnDispose)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_maintenanceConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

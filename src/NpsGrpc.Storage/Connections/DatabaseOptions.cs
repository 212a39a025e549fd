using System.Data.Common;
using Npgsql;

namespace NpsGrpc.Storage.Connections;

/// <summary>
/// Connection pool and timeout settings, bound from the <c>Database</c> configuration section. A keyword that the
/// connection string sets itself (for example <c>Maximum Pool Size</c>) wins over the setting here.
/// </summary>
public sealed class DatabaseOptions
{
    /// <summary>
    /// Maximum open connections per connection string (Npgsql's <c>Maximum Pool Size</c>). Default 40, so two
    /// instances stay below PostgreSQL's default <c>max_connections</c> of 100 with room for maintenance sessions.
    /// </summary>
    public int MaxPoolSize { get; set; } = 40;

    /// <summary>
    /// Maximum time to open a connection or to wait for a free pooled one (Npgsql's <c>Timeout</c>). Default 15 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Maximum time one statement may run (Npgsql's <c>Command Timeout</c>). Default 30 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MaxPoolSize is < 1 or > 10_000)
        {
            throw new InvalidOperationException(
                $"Database:MaxPoolSize is {MaxPoolSize}; use a number of connections from 1 to 10000.");
        }

        CheckSeconds("Database:ConnectTimeout", ConnectTimeout);
        CheckSeconds("Database:CommandTimeout", CommandTimeout);
    }

    /// <summary>
    /// Returns <paramref name="connectionString"/> with the pool size and timeouts filled in where the string leaves
    /// them out.
    /// </summary>
    public NpgsqlConnectionStringBuilder Apply(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var present = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Select(key => key.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);

        if (!present.Contains("maxpoolsize") && !present.Contains("maximumpoolsize"))
        {
            builder.MaxPoolSize = MaxPoolSize;
        }

        if (!present.Contains("timeout"))
        {
            builder.Timeout = (int)ConnectTimeout.TotalSeconds;
        }

        if (!present.Contains("commandtimeout"))
        {
            builder.CommandTimeout = (int)CommandTimeout.TotalSeconds;
        }

        return builder;
    }

    // Npgsql takes whole seconds, and 0 would mean no limit at all.
    private static void CheckSeconds(string name, TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException($"{name} is {value}; use a time from 00:00:01 to 01:00:00.");
        }
    }
}

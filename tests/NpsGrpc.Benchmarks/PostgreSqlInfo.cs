using Npgsql;

namespace NpsGrpc.Benchmarks;

/// <summary>The PostgreSQL server version and the settings that most affect bulk loading and queries.</summary>
/// <param name="Version">server_version, for example "15.18 (Debian 15.18-0+deb12u1)".</param>
/// <param name="Settings">Name and current value of each setting in <see cref="SettingNames"/>.</param>
public sealed record PostgreSqlInfo(string Version, IReadOnlyList<(string Name, string Value)> Settings)
{
    /// <summary>Settings that are printed with the figures.</summary>
    public static readonly string[] SettingNames =
    [
        "shared_buffers", "work_mem", "maintenance_work_mem", "max_wal_size", "checkpoint_timeout", "wal_level",
        "wal_compression", "synchronous_commit", "fsync", "full_page_writes", "autovacuum",
        "jit", "max_parallel_workers_per_gather",
    ];

    /// <summary>Reads the version and settings over <paramref name="connection"/>.</summary>
    public static async Task<PostgreSqlInfo> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(@names) ORDER BY name", connection);
        command.Parameters.AddWithValue("names", SettingNames);
        var settings = new List<(string, string)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                settings.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        await using var version = new NpgsqlCommand("SHOW server_version", connection);
        return new PostgreSqlInfo((string)(await version.ExecuteScalarAsync(cancellationToken))!, settings);
    }
}

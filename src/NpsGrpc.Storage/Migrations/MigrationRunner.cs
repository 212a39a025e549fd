using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace NpsGrpc.Storage.Migrations;

/// <summary>
/// Applies the versioned SQL scripts embedded in this assembly (Migrations/NNNN_name.sql) in order, each in
/// its own transaction. A session-level advisory lock serialises instances that start at the same time, so
/// each script runs once.
/// </summary>
public sealed partial class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    /// <summary>Advisory lock key reserved for migrations ("npsmigr" in ASCII).</summary>
    private const long AdvisoryLockKey = 0x6E70736D696772;

    /// <summary>Applies every script not applied yet and returns how many were applied.</summary>
    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                cancellationToken: cancellationToken));

            var applied = (await connection.QueryAsync<int>(new CommandDefinition(
                "SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet();

            int count = 0;
            foreach (var script in LoadScripts().Where(s => !applied.Contains(s.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version, name) VALUES (@Version, @Name)",
                    script,
                    transaction,
                    cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                Log.Applied(logger, script.Version, script.Name);
                count++;
            }

            return count;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey });
        }
    }

    private sealed record Script(int Version, string Name, string Sql);

    private static IEnumerable<Script> LoadScripts()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        const string prefix = "Migrations.";
        foreach (string resource in assembly.GetManifestResourceNames()
                     .Where(r => r.StartsWith(prefix, StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            string name = resource[prefix.Length..^".sql".Length];
            int version = int.Parse(name.AsSpan(0, name.IndexOf('_')), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return new Script(version, name, reader.ReadToEnd());
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applied database migration {Version} ({Name})")]
        public static partial void Applied(ILogger logger, int version, string name);
    }
}

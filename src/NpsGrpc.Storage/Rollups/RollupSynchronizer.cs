using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace NpsGrpc.Storage.Rollups;

/// <summary>
/// Makes the stored rollups match the configured attribute keys at start-up. When the keys changed, it rebuilds the
/// rollups that keep attribute values from the raw rows; the survey totals do not depend on the keys. The rebuild
/// first updates the stored keys. Ingest batches hold a share lock on that row, so the update waits for batches in
/// flight, and later batches wait for the rebuild and then use the new keys. No count is lost or counted twice.
/// Every instance on one database should share the keys: an instance started with other keys rebuilds again.
/// </summary>
public sealed partial class RollupSynchronizer(
    NpgsqlDataSource dataSource, RollupOptions options, RollupState state, ILogger<RollupSynchronizer> logger)
{
    private const string RebuildSql =
        """
        UPDATE rollup_settings SET attribute_keys = @keys;
        LOCK TABLE response_rollup_hourly, response_rollup_daily, response_rollup_monthly IN ACCESS EXCLUSIVE MODE;
        TRUNCATE response_rollup_hourly, response_rollup_daily, response_rollup_monthly;

        INSERT INTO response_rollup_hourly
        SELECT survey_id, date_trunc('hour', responded_at, 'UTC'), dims,
               count(*) FILTER (WHERE score >= 9), count(*) FILTER (WHERE score BETWEEN 7 AND 8),
               count(*) FILTER (WHERE score <= 6),
               coalesce(sum(w) FILTER (WHERE score >= 9), 0), coalesce(sum(w) FILTER (WHERE score BETWEEN 7 AND 8), 0),
               coalesce(sum(w) FILTER (WHERE score <= 6), 0), sum(w * w)
        FROM (SELECT survey_id, responded_at, score, coalesce(weight, 1) AS w,
                     (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
                      FROM jsonb_each(attributes) e WHERE e.key = ANY(@keys)) AS dims
              FROM responses) r
        GROUP BY 1, 2, 3;

        INSERT INTO response_rollup_daily
        SELECT survey_id, (hour AT TIME ZONE 'UTC')::date, dims, sum(promoters), sum(passives), sum(detractors),
               sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
        FROM response_rollup_hourly
        GROUP BY 1, 2, 3;

        INSERT INTO response_rollup_monthly
        SELECT survey_id, date_trunc('month', day)::date, dims, sum(promoters), sum(passives), sum(detractors),
               sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
        FROM response_rollup_daily
        GROUP BY 1, 2, 3;
        """;

    /// <summary>Checks the stored keys and rebuilds the rollups when they differ from the configured ones.</summary>
    public async Task SynchronizeAsync(CancellationToken cancellationToken)
    {
        string[] keys = options.NormalizedKeys;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        string[]? stored = await connection.QuerySingleOrDefaultAsync<string[]>(new CommandDefinition(
            "SELECT attribute_keys FROM rollup_settings", cancellationToken: cancellationToken));

        if (stored is null || !stored.SequenceEqual(keys, StringComparer.Ordinal))
        {
            Log.Rebuilding(logger, string.Join(",", stored ?? []), string.Join(",", keys));
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                RebuildSql, new { keys }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            Log.Rebuilt(logger);
        }

        state.MarkReady();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, Level = LogLevel.Warning,
            Message = "Rollup attribute keys changed from [{StoredKeys}] to [{ConfiguredKeys}]; rebuilding the rollups from the raw rows")]
        public static partial void Rebuilding(ILogger logger, string storedKeys, string configuredKeys);

        [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Rollups rebuilt")]
        public static partial void Rebuilt(ILogger logger);
    }
}

using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace NpsGrpc.Storage.Rollups;

/// <summary>
/// Makes the stored rollups match the configured attribute keys at start-up, rebuilding every rollup table from the
/// raw rows when the keys changed. The rebuild holds the rollup advisory lock exclusively: it waits for ingest batches
/// in flight, and later batches wait for it and then use the new keys, so no count is lost or counted twice. Every
/// instance on one database should share the keys: an instance started with other keys rebuilds again.
/// </summary>
public sealed partial class RollupSynchronizer(
    NpgsqlDataSource dataSource, RollupOptions options, RollupState state, ILogger<RollupSynchronizer> logger)
{
    /// <summary>
    /// Advisory lock key that serialises rollup rebuilds with ingest ("npsroll" in ASCII). Ingest takes it shared
    /// per batch, a rebuild takes it exclusively; PostgreSQL queues new shared requests behind a waiting exclusive
    /// one, so a rebuild cannot be starved by a steady stream of batches.
    /// </summary>
    public const long RollupLockKey = 0x6E7073726F6C6C;

    /// <summary>
    /// Rebuilds every rollup table from the raw rows: the counts by attribute values per hour from the responses,
    /// every coarser or attribute-free table from those.
    /// </summary>
    public const string RebuildSql =
        """
        LOCK TABLE response_rollup_hourly, response_rollup_daily, response_rollup_monthly,
                   survey_rollup_hourly, survey_rollup_daily, survey_rollup_monthly IN ACCESS EXCLUSIVE MODE;
        TRUNCATE response_rollup_hourly, response_rollup_daily, response_rollup_monthly,
                 survey_rollup_hourly, survey_rollup_daily, survey_rollup_monthly;

        INSERT INTO response_rollup_hourly
        SELECT survey_id, date_trunc('hour', responded_at, 'UTC'), dims,
               count(*) FILTER (WHERE score >= 9), count(*) FILTER (WHERE score BETWEEN 7 AND 8),
               count(*) FILTER (WHERE score <= 6),
               coalesce(sum(w) FILTER (WHERE score >= 9), 0), coalesce(sum(w) FILTER (WHERE score BETWEEN 7 AND 8), 0),
               coalesce(sum(w) FILTER (WHERE score <= 6), 0), sum(w * w)
        FROM (SELECT survey_id, responded_at, score, coalesce(weight, 1) AS w,
                     (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
                      FROM jsonb_each(attributes) e
                      WHERE e.key = ANY((SELECT attribute_keys FROM rollup_settings)::text[])) AS dims
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

        INSERT INTO survey_rollup_hourly
        SELECT survey_id, hour, sum(promoters), sum(passives), sum(detractors),
               sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
        FROM response_rollup_hourly
        GROUP BY 1, 2;

        INSERT INTO survey_rollup_daily
        SELECT survey_id, (hour AT TIME ZONE 'UTC')::date, sum(promoters), sum(passives), sum(detractors),
               sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
        FROM survey_rollup_hourly
        GROUP BY 1, 2;

        INSERT INTO survey_rollup_monthly
        SELECT survey_id, date_trunc('month', day)::date, sum(promoters), sum(passives), sum(detractors),
               sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
        FROM survey_rollup_daily
        GROUP BY 1, 2;
        """;

    /// <summary>
    /// Version of the rollup tables' layout. A database whose stored version is lower is rebuilt once, so a change
    /// of layout (such as new rollup levels) never leaves tables that miss earlier responses.
    /// </summary>
    public const int LayoutVersion = 1;

    /// <summary>Checks the stored keys and layout, and rebuilds the rollups when either differs.</summary>
    public async Task SynchronizeAsync(CancellationToken cancellationToken)
    {
        string[] keys = options.NormalizedKeys;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stored = await connection.QuerySingleAsync<(string[] Keys, int Layout)>(new CommandDefinition(
            "SELECT attribute_keys, layout_version FROM rollup_settings", cancellationToken: cancellationToken));

        if (!stored.Keys.SequenceEqual(keys, StringComparer.Ordinal) || stored.Layout < LayoutVersion)
        {
            Log.Rebuilding(logger, string.Join(",", stored.Keys), string.Join(",", keys), stored.Layout, LayoutVersion);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@key); UPDATE rollup_settings SET attribute_keys = @keys, layout_version = @layout;",
                new { key = RollupLockKey, keys, layout = LayoutVersion },
                transaction,
                commandTimeout: 0,
                cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                RebuildSql, transaction: transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            Log.Rebuilt(logger);
        }

        state.MarkReady();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, Level = LogLevel.Warning,
            Message = "Rebuilding the rollups from the raw rows: keys [{StoredKeys}] to [{ConfiguredKeys}], layout {StoredLayout} to {Layout}")]
        public static partial void Rebuilding(ILogger logger, string storedKeys, string configuredKeys, int storedLayout, int layout);

        [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Rollups rebuilt")]
        public static partial void Rebuilt(ILogger logger);
    }
}

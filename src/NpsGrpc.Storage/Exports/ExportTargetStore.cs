using Dapper;
using Npgsql;

namespace NpsGrpc.Storage.Exports;

/// <summary>Reads and writes export targets.</summary>
public sealed class ExportTargetStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "target_id AS TargetId, lock_id AS LockId, display_name AS DisplayName, destination AS Destination, " +
        "survey_ids AS SurveyIds, schedule AS Schedule, time_zone AS TimeZone, segment_keys AS SegmentKeys, " +
        "row_group_rows AS RowGroupRows, confidence_level AS ConfidenceLevel, paused AS Paused, watermark AS Watermark, " +
        "last_slot AS LastSlot, create_time AS CreateTime, update_time AS UpdateTime";

    /// <summary>Outcome of <see cref="CreateAsync"/>.</summary>
    public enum CreateOutcome
    {
        /// <summary>Created.</summary>
        Created,

        /// <summary>The id is taken.</summary>
        IdTaken,

        /// <summary>Another target writes to the destination.</summary>
        DestinationTaken,
    }

    /// <summary>Inserts a target. Its schedule starts after <paramref name="now"/>.</summary>
    public async Task<(CreateOutcome Outcome, ExportTargetRecord? Target)> CreateAsync(
        ExportTargetRecord target, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var created = await connection.QuerySingleOrDefaultAsync<ExportTargetRecord>(new CommandDefinition(
                $"""
                INSERT INTO export_targets (target_id, display_name, destination, survey_ids, schedule, time_zone, segment_keys,
                                            row_group_rows, confidence_level, paused, last_slot, create_time, update_time)
                VALUES (@TargetId, @DisplayName, @Destination, @SurveyIds, @Schedule, @TimeZone, @SegmentKeys,
                        @RowGroupRows, @ConfidenceLevel, @Paused, @now, @now, @now)
                ON CONFLICT (target_id) DO NOTHING
                RETURNING {Columns}
                """,
                new
                {
                    target.TargetId, target.DisplayName, target.Destination, target.SurveyIds, target.Schedule, target.TimeZone,
                    target.SegmentKeys, target.RowGroupRows, target.ConfidenceLevel, target.Paused, now,
                },
                cancellationToken: cancellationToken));
            return created is null ? (CreateOutcome.IdTaken, null) : (CreateOutcome.Created, created);
        }
        catch (PostgresException exception) when (exception is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "export_targets_destination_key" })
        {
            return (CreateOutcome.DestinationTaken, null);
        }
    }

    /// <summary>Returns the target, or null.</summary>
    public async Task<ExportTargetRecord?> GetAsync(string targetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ExportTargetRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM export_targets WHERE target_id = @targetId", new { targetId }, cancellationToken: cancellationToken));
    }

    /// <summary>Returns up to <paramref name="limit"/> targets after <paramref name="afterTargetId"/>, by id.</summary>
    public async Task<IReadOnlyList<ExportTargetRecord>> ListAsync(string? afterTargetId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExportTargetRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM export_targets
            WHERE @afterTargetId::text IS NULL OR target_id > @afterTargetId
            ORDER BY target_id
            LIMIT @limit
            """,
            new { afterTargetId, limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Returns the id and destination of every target.</summary>
    public async Task<IReadOnlyList<(string TargetId, string Destination)>> ListDestinationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string, string)>(new CommandDefinition(
            "SELECT target_id, destination FROM export_targets ORDER BY target_id", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Returns every target with a schedule that is not paused.</summary>
    public async Task<IReadOnlyList<ExportTargetRecord>> ListScheduledAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExportTargetRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM export_targets WHERE schedule <> '' AND NOT paused", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Stores the changeable fields of <paramref name="target"/>. When the schedule changes or the target resumes, the
    /// schedule restarts after <paramref name="now"/>, so no slot before the change is run late.
    /// </summary>
    public async Task<ExportTargetRecord?> UpdateAsync(ExportTargetRecord target, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ExportTargetRecord>(new CommandDefinition(
            $"""
            UPDATE export_targets
            SET display_name = @DisplayName, row_group_rows = @RowGroupRows, confidence_level = @ConfidenceLevel,
                last_slot = CASE WHEN schedule <> @Schedule OR (paused AND NOT @Paused) THEN @now ELSE last_slot END,
                schedule = @Schedule, paused = @Paused, update_time = @now
            WHERE target_id = @TargetId
            RETURNING {Columns}
            """,
            new { target.TargetId, target.DisplayName, target.RowGroupRows, target.ConfidenceLevel, target.Schedule, target.Paused, now },
            cancellationToken: cancellationToken));
    }

    /// <summary>Outcome of <see cref="DeleteAsync"/>.</summary>
    public enum DeleteOutcome
    {
        /// <summary>Deleted.</summary>
        Deleted,

        /// <summary>No such target.</summary>
        NotFound,

        /// <summary>A run of the target is in progress.</summary>
        Running,
    }

    /// <summary>Deletes a target and its history unless one of its runs is in progress on some instance.</summary>
    public async Task<DeleteOutcome> DeleteAsync(string targetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int? lockId = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT lock_id FROM export_targets WHERE target_id = @targetId FOR UPDATE", new { targetId }, transaction,
            cancellationToken: cancellationToken));
        if (lockId is not { } id)
        {
            return DeleteOutcome.NotFound;
        }

        // A run holds the target's session lock while it works; the transaction-level try fails while it does.
        bool free = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT pg_try_advisory_xact_lock(@lockClass, @id)", new { lockClass = ExportRunStore.TargetLockClass, id }, transaction,
            cancellationToken: cancellationToken));
        if (!free)
        {
            return DeleteOutcome.Running;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM export_targets WHERE target_id = @targetId", new { targetId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return DeleteOutcome.Deleted;
    }
}

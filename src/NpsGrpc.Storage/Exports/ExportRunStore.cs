using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Storage.Rollups;

namespace NpsGrpc.Storage.Exports;

/// <summary>
/// Queues, claims and records export runs. A session-level advisory lock on the target, held for the whole attempt on a
/// dedicated connection, keeps runs of one target from overlapping. PostgreSQL releases it when the holder's connection
/// ends, so a run whose instance died is found unfinished with its lock free, and redone.
/// </summary>
public sealed class ExportRunStore(NpgsqlDataSource dataSource)
{
    /// <summary>First key of the two-key advisory locks on export targets ("npsx" in ASCII).</summary>
    public const int TargetLockClass = 0x6E707378;

    private const string RunColumns =
        "run_id, target_id, trigger, slot, restate_from, restate_to, state, attempts, low_mark, high_mark, pending_paths, " +
        "rows_written, files_written, bytes_written, manifest_path, error, instance, queue_time, start_time, end_time";

    /// <summary>Queues a manual run, incremental or restating the dates from <paramref name="restateFrom"/> to <paramref name="restateTo"/>.</summary>
    public async Task<ExportRunRecord> EnqueueAsync(
        string targetId, DateOnly? restateFrom, DateOnly? restateTo, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO export_runs (target_id, trigger, restate_from, restate_to, state, queue_time)
            VALUES (@target, 'manual', @from, @to, 'queued', @now)
            RETURNING {RunColumns}
            """, connection);
        command.Parameters.AddWithValue("target", targetId);
        command.Parameters.Add(new NpgsqlParameter<DateOnly?>("from", NpgsqlDbType.Date) { TypedValue = restateFrom });
        command.Parameters.Add(new NpgsqlParameter<DateOnly?>("to", NpgsqlDbType.Date) { TypedValue = restateTo });
        command.Parameters.AddWithValue("now", now);
        return (await ReadRunsAsync(command, cancellationToken)).Single();
    }

    /// <summary>
    /// Claims the scheduled <paramref name="slot"/> of a target and queues its run, or returns null when another
    /// instance claimed it or a later slot first, or the target was paused. The target row's lock orders concurrent
    /// claims, and the unique (target, slot) key guarantees one run per slot.
    /// </summary>
    public async Task<ExportRunRecord?> ClaimSlotAsync(string targetId, DateTime slot, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int claimed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE export_targets SET last_slot = @slot
            WHERE target_id = @targetId AND NOT paused AND (last_slot IS NULL OR last_slot < @slot)
            """,
            new { targetId, slot }, transaction, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            return null;
        }

        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO export_runs (target_id, trigger, slot, state, queue_time)
            VALUES (@target, 'schedule', @slot, 'queued', @now)
            ON CONFLICT (target_id, slot) DO NOTHING
            RETURNING {RunColumns}
            """, connection, transaction);
        command.Parameters.AddWithValue("target", targetId);
        command.Parameters.AddWithValue("slot", slot);
        command.Parameters.AddWithValue("now", now);
        var runs = await ReadRunsAsync(command, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return runs.SingleOrDefault();
    }

    /// <summary>Targets that have runs queued or unfinished, with their lock ids.</summary>
    public async Task<IReadOnlyList<(string TargetId, int LockId)>> TargetsWithPendingRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string, int)>(new CommandDefinition(
            """
            SELECT t.target_id, t.lock_id FROM export_targets t
            WHERE EXISTS (SELECT 1 FROM export_runs r WHERE r.target_id = t.target_id AND r.state IN ('queued', 'running', 'committed'))
            ORDER BY t.target_id
            """,
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Takes the target's run lock on a dedicated connection, or returns null when another attempt holds it. Dispose
    /// the lease to release it.
    /// </summary>
    public async Task<TargetLease?> TryLeaseAsync(int lockId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            bool locked = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_lock(@lockClass, @lockId)", new { lockClass = TargetLockClass, lockId },
                cancellationToken: cancellationToken));
            if (locked)
            {
                return new TargetLease(connection, lockId);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>The target's oldest run that is queued or was left unfinished. Call it holding the target's lease.</summary>
    public async Task<ExportRunRecord?> OldestPendingRunAsync(string targetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {RunColumns} FROM export_runs
            WHERE target_id = @target AND state IN ('queued', 'running', 'committed')
            ORDER BY run_id LIMIT 1
            """, connection);
        command.Parameters.AddWithValue("target", targetId);
        return (await ReadRunsAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Fixes the load sequence a run covers: it waits, holding the rollup lock exclusively, until every ingest batch
    /// in flight has ended. Batches take their sequence under the shared lock, so every sequence up to the returned
    /// one belongs to a batch that committed or rolled back, and later batches get higher ones.
    /// </summary>
    public async Task<long> SettledLoadSequenceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@key)", new { key = RollupSynchronizer.RollupLockKey }, transaction,
            cancellationToken: cancellationToken));
        long settled = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM response_load_seq", transaction: transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return settled;
    }

    /// <summary>
    /// Starts an attempt of a queued or unfinished running run with the load sequence range it covers, or returns null
    /// when the run has moved on (committed by an attempt that was still alive). Raising the attempt number fences the
    /// older attempt: its later state changes no longer match.
    /// </summary>
    public async Task<ExportRunRecord?> StartAttemptAsync(
        long runId, long lowMark, long highMark, string instance, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE export_runs
            SET state = 'running', attempts = attempts + 1, low_mark = @low, high_mark = @high, instance = @instance,
                start_time = @now, pending_paths = '{"{}"}', error = NULL
            WHERE run_id = @run AND state IN ('queued', 'running')
            RETURNING {RunColumns}
            """, connection);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("low", lowMark);
        command.Parameters.AddWithValue("high", highMark);
        command.Parameters.AddWithValue("instance", instance);
        command.Parameters.AddWithValue("now", now);
        return (await ReadRunsAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Records the final paths an attempt is about to publish, so a redo can remove them.
    /// </summary>
    /// <exception cref="AttemptSupersededException">Another attempt of the run has started since.</exception>
    public async Task SetPendingPathsAsync(long runId, int attempt, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int updated = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE export_runs SET pending_paths = @paths WHERE run_id = @runId AND attempts = @attempt AND state = 'running'",
            new { runId, attempt, paths = paths.ToArray() },
            cancellationToken: cancellationToken));
        if (updated == 0)
        {
            throw new AttemptSupersededException(runId, attempt);
        }
    }

    /// <summary>
    /// Records a finished attempt in one transaction: its files, the files it replaces, new attribute columns, the
    /// daily counts and the new watermark. The run becomes committed; its manifest comes next.
    /// </summary>
    /// <exception cref="AttemptSupersededException">Another attempt of the run has started since.</exception>
    public async Task CommitAsync(ExportCommit commit, int attempt, bool advanceWatermark, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The row lock keeps a newer attempt from starting until this transaction ends.
        bool current = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM export_runs WHERE run_id = @RunId AND attempts = @attempt AND state = 'running' FOR UPDATE)",
            new { commit.RunId, attempt }, transaction, cancellationToken: cancellationToken));
        if (!current)
        {
            throw new AttemptSupersededException(commit.RunId, attempt);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE export_files SET superseded_by = @runId WHERE target_id = @targetId AND path = ANY(@paths) AND superseded_by IS NULL",
            new { commit.RunId, commit.TargetId, paths = commit.SupersededPaths.ToArray() }, transaction,
            cancellationToken: cancellationToken));

        await using (var insertFiles = new NpgsqlCommand(
            """
            INSERT INTO export_files (target_id, path, table_name, partition_date, run_id, row_count, byte_count, sha256)
            SELECT @target, f.path, f.table_name, f.partition_date, @run, f.row_count, f.byte_count, f.sha256
            FROM unnest(@paths, @tables, @dates, @rows, @bytes, @hashes) AS f(path, table_name, partition_date, row_count, byte_count, sha256)
            """, connection, transaction))
        {
            insertFiles.Parameters.AddWithValue("target", commit.TargetId);
            insertFiles.Parameters.AddWithValue("run", commit.RunId);
            insertFiles.Parameters.AddWithValue("paths", commit.Files.Select(f => f.Path).ToArray());
            insertFiles.Parameters.AddWithValue("tables", commit.Files.Select(f => f.Table).ToArray());
            insertFiles.Parameters.Add(new NpgsqlParameter<DateOnly?[]>("dates", NpgsqlDbType.Array | NpgsqlDbType.Date)
            {
                TypedValue = commit.Files.Select(f => f.PartitionDate).ToArray(),
            });
            insertFiles.Parameters.AddWithValue("rows", commit.Files.Select(f => f.RowCount).ToArray());
            insertFiles.Parameters.AddWithValue("bytes", commit.Files.Select(f => f.ByteCount).ToArray());
            insertFiles.Parameters.AddWithValue("hashes", commit.Files.Select(f => f.Sha256).ToArray());
            await insertFiles.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach ((string table, var columns) in commit.Columns)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO export_columns (target_id, table_name, attribute_key, column_name, ordinal)
                SELECT @targetId, @table, c.key, c.name, c.ordinal - 1
                FROM unnest(@keys, @names) WITH ORDINALITY AS c(key, name, ordinal)
                ON CONFLICT (target_id, table_name, attribute_key) DO NOTHING
                """,
                new { commit.TargetId, table, keys = columns.Select(c => c.Key).ToArray(), names = columns.Select(c => c.Column).ToArray() },
                transaction, cancellationToken: cancellationToken));
        }

        await WriteCountsAsync(connection, transaction, commit, cancellationToken);

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE export_runs SET state = 'committed', rows_written = @RowsWritten, files_written = @files, bytes_written = @bytes,
                                   pending_paths = '{}'
            WHERE run_id = @RunId
            """,
            new { commit.RowsWritten, commit.RunId, files = commit.Files.Count, bytes = commit.Files.Sum(f => f.ByteCount) },
            transaction, cancellationToken: cancellationToken));
        if (advanceWatermark)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE export_targets SET watermark = @NewWatermark WHERE target_id = @TargetId",
                new { commit.NewWatermark, commit.TargetId }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Marks a committed run succeeded once its manifest is published.</summary>
    public async Task MarkSucceededAsync(long runId, string manifestPath, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE export_runs SET state = 'succeeded', manifest_path = @manifestPath, end_time = @now WHERE run_id = @runId AND state = 'committed'",
            new { runId, manifestPath, now }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Marks a run failed with <paramref name="error"/>, unless another attempt has started since; null
    /// <paramref name="attempt"/> fails a run before any attempt starts.
    /// </summary>
    public async Task MarkFailedAsync(long runId, int? attempt, string error, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE export_runs SET state = 'failed', error = @error, end_time = @now, pending_paths = '{}'
            WHERE run_id = @runId AND state IN ('queued', 'running') AND (@attempt::integer IS NULL OR attempts = @attempt)
            """,
            new { runId, attempt, error, now }, cancellationToken: cancellationToken));
    }

    /// <summary>Files of the target that are part of the export now.</summary>
    public async Task<IReadOnlyList<ExportFileRecord>> LiveFilesAsync(string targetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT table_name, path, partition_date, run_id, row_count, byte_count, sha256 FROM export_files
            WHERE target_id = @target AND superseded_by IS NULL
            ORDER BY table_name, partition_date NULLS FIRST, path
            """, connection);
        command.Parameters.AddWithValue("target", targetId);
        var files = new List<ExportFileRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            files.Add(new ExportFileRecord(
                reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2),
                reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetString(6)));
        }

        return files;
    }

    /// <summary>Paths superseded by <paramref name="runId"/>.</summary>
    public async Task<IReadOnlyList<string>> SupersededPathsAsync(string targetId, long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT path FROM export_files WHERE target_id = @targetId AND superseded_by = @runId ORDER BY path",
            new { targetId, runId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Superseded files of the target that are not deleted yet, by runs whose manifests are published: the succeeded
    /// runs and <paramref name="publishedRunId"/>, whose manifest has just been written.
    /// </summary>
    public async Task<IReadOnlyList<string>> PathsAwaitingDeletionAsync(string targetId, long publishedRunId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT f.path FROM export_files f JOIN export_runs r ON r.run_id = f.superseded_by
            WHERE f.target_id = @targetId AND NOT f.deleted AND (r.state = 'succeeded' OR r.run_id = @publishedRunId)
            ORDER BY f.path
            """,
            new { targetId, publishedRunId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Records that superseded files were deleted from the destination.</summary>
    public async Task MarkDeletedAsync(string targetId, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE export_files SET deleted = true WHERE target_id = @targetId AND path = ANY(@paths)",
            new { targetId, paths = paths.ToArray() }, cancellationToken: cancellationToken));
    }

    /// <summary>Attribute columns recorded for the target, per table, in column order.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<(string Key, string Column)>>> ColumnsAsync(
        string targetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Table, string Key, string Column)>(new CommandDefinition(
            "SELECT table_name, attribute_key, column_name FROM export_columns WHERE target_id = @targetId ORDER BY table_name, ordinal",
            new { targetId }, cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.Table).ToDictionary(
            g => g.Key, g => (IReadOnlyList<(string, string)>)g.Select(r => (r.Key, r.Column)).ToList());
    }

    /// <summary>Stored daily counts of the target for <paramref name="dates"/>, or for every date when null.</summary>
    public async Task<IReadOnlyList<DailyCounts>> DailyCountsAsync(
        string targetId, IReadOnlyList<DateOnly>? dates, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT response_date, survey_id, segment, responses, promoters, passives, detractors,
                   weight_sum, promoter_weight, detractor_weight, weight_square_sum
            FROM export_daily_counts
            WHERE target_id = @target AND (@dates::date[] IS NULL OR response_date = ANY(@dates))
            ORDER BY response_date, survey_id, segment
            """, connection);
        command.Parameters.AddWithValue("target", targetId);
        command.Parameters.Add(new NpgsqlParameter<DateOnly[]?>("dates", NpgsqlDbType.Array | NpgsqlDbType.Date) { TypedValue = dates?.ToArray() });
        var counts = new List<DailyCounts>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new DailyCounts(
                reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetFieldValue<string?[]>(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetDouble(7), reader.GetDouble(8),
                reader.GetDouble(9), reader.GetDouble(10)));
        }

        return counts;
    }

    /// <summary>First and last date with counts, or null before any response was exported.</summary>
    public async Task<(DateOnly First, DateOnly Last)?> CoveredDatesAsync(string targetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT min(response_date), max(response_date) FROM export_daily_counts WHERE target_id = @target", connection);
        command.Parameters.AddWithValue("target", targetId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.IsDBNull(0) ? null : (reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1));
    }

    /// <summary>One run of a target, or null.</summary>
    public async Task<ExportRunRecord?> GetRunAsync(string targetId, long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {RunColumns} FROM export_runs WHERE target_id = @target AND run_id = @run", connection);
        command.Parameters.AddWithValue("target", targetId);
        command.Parameters.AddWithValue("run", runId);
        return (await ReadRunsAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Runs of a target with ids below <paramref name="beforeRunId"/>, newest first.</summary>
    public async Task<IReadOnlyList<ExportRunRecord>> ListRunsAsync(
        string targetId, long? beforeRunId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {RunColumns} FROM export_runs
            WHERE target_id = @target AND (@before::bigint IS NULL OR run_id < @before)
            ORDER BY run_id DESC LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("target", targetId);
        command.Parameters.Add(new NpgsqlParameter<long?>("before", NpgsqlDbType.Bigint) { TypedValue = beforeRunId });
        command.Parameters.AddWithValue("limit", limit);
        return await ReadRunsAsync(command, cancellationToken);
    }

    /// <summary>The newest successful run of each of <paramref name="targetIds"/>.</summary>
    public async Task<IReadOnlyDictionary<string, ExportRunRecord>> LastSuccessfulRunsAsync(
        IReadOnlyList<string> targetIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT DISTINCT ON (target_id) {RunColumns} FROM export_runs
            WHERE target_id = ANY(@targets) AND state = 'succeeded'
            ORDER BY target_id, run_id DESC
            """, connection);
        command.Parameters.AddWithValue("targets", targetIds.ToArray());
        return (await ReadRunsAsync(command, cancellationToken)).ToDictionary(r => r.TargetId);
    }

    private static async Task WriteCountsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ExportCommit commit, CancellationToken cancellationToken)
    {
        if (commit.ReplaceDates.Count > 0)
        {
            await using var delete = new NpgsqlCommand(
                "DELETE FROM export_daily_counts WHERE target_id = @target AND response_date = ANY(@dates)", connection, transaction);
            delete.Parameters.AddWithValue("target", commit.TargetId);
            delete.Parameters.Add(new NpgsqlParameter<DateOnly[]>("dates", NpgsqlDbType.Array | NpgsqlDbType.Date)
            {
                TypedValue = commit.ReplaceDates.ToArray(),
            });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        if (commit.Counts.Count == 0)
        {
            return;
        }

        // Segments travel as JSON arrays, since PostgreSQL arrays cannot hold arrays of differing nulls per row.
        await using var upsert = new NpgsqlCommand(
            """
            INSERT INTO export_daily_counts AS d
            SELECT @target, c.response_date, c.survey_id, ARRAY(SELECT jsonb_array_elements_text(c.segment)),
                   c.responses, c.promoters, c.passives, c.detractors, c.weight_sum, c.promoter_weight, c.detractor_weight,
                   c.weight_square_sum
            FROM unnest(@dates, @surveys, @segments, @responses, @promoters, @passives, @detractors, @weights,
                        @promoterWeights, @detractorWeights, @weightSquares)
                 AS c(response_date, survey_id, segment, responses, promoters, passives, detractors, weight_sum,
                      promoter_weight, detractor_weight, weight_square_sum)
            ON CONFLICT (target_id, response_date, survey_id, segment) DO UPDATE
            SET responses = d.responses + excluded.responses, promoters = d.promoters + excluded.promoters,
                passives = d.passives + excluded.passives, detractors = d.detractors + excluded.detractors,
                weight_sum = d.weight_sum + excluded.weight_sum, promoter_weight = d.promoter_weight + excluded.promoter_weight,
                detractor_weight = d.detractor_weight + excluded.detractor_weight,
                weight_square_sum = d.weight_square_sum + excluded.weight_square_sum
            """, connection, transaction);
        var counts = commit.Counts;
        upsert.Parameters.AddWithValue("target", commit.TargetId);
        upsert.Parameters.Add(new NpgsqlParameter<DateOnly[]>("dates", NpgsqlDbType.Array | NpgsqlDbType.Date)
        {
            TypedValue = counts.Select(c => c.Date).ToArray(),
        });
        upsert.Parameters.AddWithValue("surveys", counts.Select(c => c.SurveyId).ToArray());
        upsert.Parameters.AddWithValue("segments", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, counts.Select(c => JsonSerializer.Serialize(c.Segment)).ToArray());
        upsert.Parameters.AddWithValue("responses", counts.Select(c => c.Responses).ToArray());
        upsert.Parameters.AddWithValue("promoters", counts.Select(c => c.Promoters).ToArray());
        upsert.Parameters.AddWithValue("passives", counts.Select(c => c.Passives).ToArray());
        upsert.Parameters.AddWithValue("detractors", counts.Select(c => c.Detractors).ToArray());
        upsert.Parameters.AddWithValue("weights", counts.Select(c => c.WeightSum).ToArray());
        upsert.Parameters.AddWithValue("promoterWeights", counts.Select(c => c.PromoterWeight).ToArray());
        upsert.Parameters.AddWithValue("detractorWeights", counts.Select(c => c.DetractorWeight).ToArray());
        upsert.Parameters.AddWithValue("weightSquares", counts.Select(c => c.WeightSquareSum).ToArray());
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<ExportRunRecord>> ReadRunsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var runs = new List<ExportRunRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new ExportRunRecord
            {
                RunId = reader.GetInt64(0),
                TargetId = reader.GetString(1),
                Trigger = reader.GetString(2),
                Slot = reader.IsDBNull(3) ? null : reader.GetDateTime(3),
                RestateFrom = reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4),
                RestateTo = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateOnly>(5),
                State = reader.GetString(6),
                Attempts = reader.GetInt32(7),
                LowMark = reader.IsDBNull(8) ? null : reader.GetInt64(8),
                HighMark = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                PendingPaths = reader.GetFieldValue<string[]>(10),
                RowsWritten = reader.GetInt64(11),
                FilesWritten = reader.GetInt32(12),
                BytesWritten = reader.GetInt64(13),
                ManifestPath = reader.IsDBNull(14) ? null : reader.GetString(14),
                Error = reader.IsDBNull(15) ? null : reader.GetString(15),
                Instance = reader.IsDBNull(16) ? null : reader.GetString(16),
                QueueTime = reader.GetDateTime(17),
                StartTime = reader.IsDBNull(18) ? null : reader.GetDateTime(18),
                EndTime = reader.IsDBNull(19) ? null : reader.GetDateTime(19),
            });
        }

        return runs;
    }
}

/// <summary>Holds a target's run lock on a dedicated connection until disposed.</summary>
public sealed class TargetLease(NpgsqlConnection connection, int lockId) : IAsyncDisposable
{
    /// <summary>
    /// Checks that this session still holds the lock. It is lost when PostgreSQL ends the session, for example when an
    /// administrator terminates it or the connection drops, and another instance may then run the target.
    /// </summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                """
                SELECT EXISTS (SELECT 1 FROM pg_locks
                               WHERE locktype = 'advisory' AND classid = @lockClass AND objid = @lockId AND objsubid = 2
                                 AND pid = pg_backend_pid() AND granted)
                """,
                new { lockClass = ExportRunStore.TargetLockClass, lockId }, cancellationToken: cancellationToken));
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>Releases the lock and returns the connection to the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await connection.ExecuteAsync(
                "SELECT pg_advisory_unlock(@lockClass, @lockId)", new { lockClass = ExportRunStore.TargetLockClass, lockId });
        }
        catch (NpgsqlException)
        {
            // A broken connection has lost the lock already; closing it below discards it.
        }

        await connection.DisposeAsync();
    }
}

/// <summary>Thrown when an attempt of a run finds that a newer attempt has taken the run over.</summary>
/// <param name="runId">The run.</param>
/// <param name="attempt">The superseded attempt.</param>
public sealed class AttemptSupersededException(long runId, int attempt)
    : Exception($"Attempt {attempt} of export run {runId} was taken over by a newer attempt.");

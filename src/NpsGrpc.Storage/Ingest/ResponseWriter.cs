using System.Buffers;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Storage.FollowUps;
using NpsGrpc.Storage.Rollups;

namespace NpsGrpc.Storage.Ingest;

/// <summary>
/// Writes batches of validated responses exactly once per (survey, response id), each in one transaction, so a batch
/// commits whole or not at all. The common case, a batch of new ids, is one binary COPY straight into
/// <c>responses</c>. When an id already exists the COPY fails on the unique key, its savepoint is rolled back, and the
/// batch goes through a session-local staging table and one set-based INSERT ... ON CONFLICT DO NOTHING, which tells
/// duplicates from conflicts. Either way the counts of the inserted rows reach the rollups, and their follow-up items
/// and advocacy candidates are opened, in the same transaction.
/// </summary>
public sealed class ResponseWriter(NpgsqlDataSource dataSource, FollowUpOptions followUps)
{
    // Attribute keys known to be recorded in response_attribute_keys, per survey. Keys are only added after their
    // transaction commits, and rows are never deleted, so an entry never goes stale.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string SurveyId, string Key), bool> _recordedKeys = new();

    // The staging table of the conflict path is a temporary table, private to the connection. The ingest data source keeps
    // connections without DISCARD ALL between uses, so it is created once per physical connection, and
    // ON COMMIT DELETE ROWS empties it after each batch.
    private const string CreateStagingSql =
        """
        CREATE TEMP TABLE IF NOT EXISTS ingest_staging (
            position     integer NOT NULL,
            response_id  text NOT NULL,
            customer_id  text NOT NULL,
            score        smallint NOT NULL,
            responded_at timestamptz NOT NULL,
            comment      text,
            attributes   jsonb NOT NULL,
            weight       double precision,
            content_hash bytea NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    private const string DirectCopySavepoint = "direct_copy";

    private const string DirectCopySql =
        "COPY responses (survey_id, response_id, received_at, load_seq, customer_id, score, responded_at, comment, " +
        "attributes, weight, content_hash) FROM STDIN (FORMAT BINARY)";

    private const string CopySql =
        "COPY ingest_staging (position, response_id, customer_id, score, responded_at, comment, attributes, weight, content_hash) " +
        "FROM STDIN (FORMAT BINARY)";

    // The rollups are keyed by the attribute keys stored in the database, read under the shared rollup lock. The batch's
    // load sequence is taken under the same lock. An export that holds the lock exclusively can therefore rely on two
    // facts: every batch with a lower sequence has ended, and later batches get higher ones.
    private const string BatchSettingsSql = "SELECT attribute_keys, nextval('response_load_seq') FROM rollup_settings";

    // Rows are inserted in byte order (COLLATE "C"), like the direct path's ordinal sort, so that concurrent batches
    // with overlapping ids take their index locks in the same order. The two orders differ only for ids with
    // characters above U+FFFF; a deadlock that still happens is retried by the caller.
    private const string InsertSql =
        """
        WITH inserted AS (
            INSERT INTO responses (survey_id, response_id, customer_id, score, responded_at, received_at, load_seq,
                                   comment, attributes, weight, content_hash)
            SELECT @survey_id, response_id, customer_id, score, responded_at, @received_at, @load_seq,
                   comment, attributes, weight, content_hash
            FROM ingest_staging
            ORDER BY response_id COLLATE "C"
            ON CONFLICT (survey_id, response_id) DO NOTHING
            RETURNING 1)
        SELECT count(*)::integer FROM inserted
        """;

    // Runs only when some rows were not inserted. A fresh statement reads rows that concurrent transactions
    // committed while the INSERT waited on them. Rows this transaction inserted are excluded by xmin.
    private const string ExistingSql =
        """
        SELECT s.position, r.content_hash = s.content_hash
        FROM ingest_staging s
        JOIN responses r ON r.survey_id = @survey_id AND r.response_id = s.response_id
        WHERE r.xmin <> pg_current_xact_id()::xid
        ORDER BY s.position
        """;

    private const string RecordKeysSql =
        "INSERT INTO response_attribute_keys (survey_id, key) SELECT @survey_id, unnest(@keys) ON CONFLICT DO NOTHING";

    /// <summary>Writes <paramref name="responses"/>, whose ids must be distinct, to <paramref name="surveyId"/>.</summary>
    /// <param name="surveyId">An existing survey.</param>
    /// <param name="responses">Validated responses with distinct ids.</param>
    /// <param name="receivedAt">Receipt time stored on every inserted row.</param>
    /// <param name="cancellationToken">Cancels the write; the transaction then rolls back.</param>
    public async Task<ResponseBatchWrite> WriteAsync(
        string surveyId, IReadOnlyList<ValidatedResponse> responses, DateTime receivedAt, CancellationToken cancellationToken)
    {
        if (responses.Count == 0)
        {
            return new ResponseBatchWrite(0, []);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The lock comes first, in its own statement, so the keys are read after any rebuild it waited for.
        await using (var rollupLock = new NpgsqlCommand("SELECT pg_advisory_xact_lock_shared(@key)", connection, transaction))
        {
            rollupLock.Parameters.AddWithValue("key", NpgsqlDbType.Bigint, RollupSynchronizer.RollupLockKey);
            await rollupLock.ExecuteNonQueryAsync(cancellationToken);
        }

        string[] rollupKeys;
        long loadSequence;
        await using (var settings = new NpgsqlCommand(BatchSettingsSql, connection, transaction))
        await using (var row = await settings.ExecuteReaderAsync(cancellationToken))
        {
            await row.ReadAsync(cancellationToken);
            rollupKeys = row.GetFieldValue<string[]>(0);
            loadSequence = row.GetInt64(1);
        }

        // Ids in ordinal order, so concurrent batches with overlapping ids take their index locks in the same order.
        var sorted = responses.OrderBy(r => r.ResponseId, StringComparer.Ordinal).ToList();
        await transaction.SaveAsync(DirectCopySavepoint, cancellationToken);
        try
        {
            await CopyToResponsesAsync(connection, surveyId, sorted, receivedAt, loadSequence, cancellationToken);
            await transaction.ReleaseAsync(DirectCopySavepoint, cancellationToken);
            await RollupDelta.ApplyAsync(connection, transaction, surveyId, sorted, rollupKeys, cancellationToken);
            await OutreachOpener.OpenAsync(
                connection, transaction, surveyId, sorted, loadSequence, receivedAt, followUps, cancellationToken);
            var newKeys = await RecordKeysAsync(connection, transaction, surveyId, sorted, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            Remember(surveyId, newKeys);
            return new ResponseBatchWrite(responses.Count, []);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Releasing the savepoint returns to the top-level transaction, because the conflict query compares xmin
            // with the top-level transaction id. Rows inserted inside the savepoint would carry a subtransaction id.
            await transaction.RollbackAsync(DirectCopySavepoint, cancellationToken);
            await transaction.ReleaseAsync(DirectCopySavepoint, cancellationToken);
        }

        var result = await InsertThroughStagingAsync(
            connection, transaction, surveyId, responses, receivedAt, loadSequence, rollupKeys, followUps, cancellationToken);
        var recorded = await RecordKeysAsync(connection, transaction, surveyId, responses, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Remember(surveyId, recorded);
        return result;
    }

    // Records the batch's attribute keys that this process has not recorded yet, and returns them.
    private async Task<string[]> RecordKeysAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string surveyId, IReadOnlyList<ValidatedResponse> responses,
        CancellationToken cancellationToken)
    {
        var keys = responses.SelectMany(r => r.Attributes).Select(a => a.Key).Distinct(StringComparer.Ordinal)
            .Where(key => !_recordedKeys.ContainsKey((surveyId, key)))
            .ToArray();
        if (keys.Length > 0)
        {
            await using var record = new NpgsqlCommand(RecordKeysSql, connection, transaction);
            record.Parameters.AddWithValue("survey_id", NpgsqlDbType.Text, surveyId);
            record.Parameters.AddWithValue("keys", NpgsqlDbType.Array | NpgsqlDbType.Text, keys);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        return keys;
    }

    private void Remember(string surveyId, string[] keys)
    {
        foreach (string key in keys)
        {
            _recordedKeys.TryAdd((surveyId, key), true);
        }
    }

    private static async Task<ResponseBatchWrite> InsertThroughStagingAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string surveyId,
        IReadOnlyList<ValidatedResponse> responses,
        DateTime receivedAt,
        long loadSequence,
        string[] rollupKeys,
        FollowUpOptions followUps,
        CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(CreateStagingSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await CopyToStagingAsync(connection, responses, cancellationToken);

        int inserted;
        await using (var insert = new NpgsqlCommand(InsertSql, connection, transaction))
        {
            insert.Parameters.AddWithValue("survey_id", NpgsqlDbType.Text, surveyId);
            insert.Parameters.AddWithValue("received_at", NpgsqlDbType.TimestampTz, receivedAt);
            insert.Parameters.AddWithValue("load_seq", NpgsqlDbType.Bigint, loadSequence);
            inserted = (int)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        var existing = new List<ExistingResponse>();
        if (inserted < responses.Count)
        {
            await using var select = new NpgsqlCommand(ExistingSql, connection, transaction);
            select.Parameters.AddWithValue("survey_id", NpgsqlDbType.Text, surveyId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                existing.Add(new ExistingResponse(reader.GetInt32(0), reader.GetBoolean(1)));
            }
        }

        var existingPositions = existing.Select(e => e.Position).ToHashSet();
        var insertedResponses = responses.Where((_, position) => !existingPositions.Contains(position)).ToList();
        await RollupDelta.ApplyAsync(connection, transaction, surveyId, insertedResponses, rollupKeys, cancellationToken);
        await OutreachOpener.OpenAsync(
            connection, transaction, surveyId, insertedResponses, loadSequence, receivedAt, followUps, cancellationToken);
        return new ResponseBatchWrite(inserted, existing);
    }

    private static async Task CopyToResponsesAsync(
        NpgsqlConnection connection,
        string surveyId,
        IReadOnlyList<ValidatedResponse> responses,
        DateTime receivedAt,
        long loadSequence,
        CancellationToken cancellationToken)
    {
        var json = new ArrayBufferWriter<byte>(256);
        await using var importer = await connection.BeginBinaryImportAsync(DirectCopySql, cancellationToken);
        foreach (var response in responses)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(surveyId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(response.ResponseId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(receivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(loadSequence, NpgsqlDbType.Bigint, cancellationToken);
            await WriteContentAsync(importer, response, json, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static async Task CopyToStagingAsync(
        NpgsqlConnection connection, IReadOnlyList<ValidatedResponse> responses, CancellationToken cancellationToken)
    {
        var json = new ArrayBufferWriter<byte>(256);
        await using var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken);
        for (int position = 0; position < responses.Count; position++)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(position, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(responses[position].ResponseId, NpgsqlDbType.Text, cancellationToken);
            await WriteContentAsync(importer, responses[position], json, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>Writes the columns after the ids: customer_id, score, responded_at, comment, attributes, weight, content_hash.</summary>
    private static async Task WriteContentAsync(
        NpgsqlBinaryImporter importer, ValidatedResponse response, ArrayBufferWriter<byte> json, CancellationToken cancellationToken)
    {
        await importer.WriteAsync(response.CustomerId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(response.Score, NpgsqlDbType.Smallint, cancellationToken);
        await importer.WriteAsync(response.RespondedAt, NpgsqlDbType.TimestampTz, cancellationToken);
        if (response.Comment is null)
        {
            await importer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await importer.WriteAsync(response.Comment, NpgsqlDbType.Text, cancellationToken);
        }

        await importer.WriteAsync(AttributesJson(response.Attributes, json), NpgsqlDbType.Jsonb, cancellationToken);
        if (response.Weight is { } weight)
        {
            await importer.WriteAsync(weight, NpgsqlDbType.Double, cancellationToken);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken);
        }

        await importer.WriteAsync(response.ContentHash, NpgsqlDbType.Bytea, cancellationToken);
    }

    private static string AttributesJson(IReadOnlyList<KeyValuePair<string, string>> attributes, ArrayBufferWriter<byte> buffer)
    {
        if (attributes.Count == 0)
        {
            return "{}";
        }

        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach ((string key, string value) in attributes)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

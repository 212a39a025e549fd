using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpsGrpc.Domain.FollowUps;
using NpsGrpc.Storage.Connections;

namespace NpsGrpc.Storage.FollowUps;

/// <summary>
/// Reads and updates follow-up items and advocacy candidates. Listing reads from <paramref name="readOnlyDataSource"/>,
/// a read replica when one is configured. Updates, and reads that check or follow a write, use the primary.
/// </summary>
public sealed class OutreachStore(
    NpgsqlDataSource dataSource, [FromKeyedServices(DataSourceKeys.ReadOnly)] NpgsqlDataSource readOnlyDataSource)
{
    // The comment stays in responses; the join is a primary-key lookup per item.
    private const string Columns =
        """
        o.item_id AS ItemId, o.survey_id AS SurveyId, o.response_id AS ResponseId, o.customer_id AS CustomerId,
        o.reason AS Reason, o.score AS Score, o.previous_score AS PreviousScore, o.responded_at AS RespondedAt,
        r.comment AS Comment, o.load_seq AS LoadSeq, o.status AS Status, o.owner AS Owner, o.note AS Note,
        o.version AS Version, o.create_time AS CreateTime, o.update_time AS UpdateTime, o.status_time AS StatusTime
        """;

    private const string From =
        "outreach_items o LEFT JOIN responses r ON r.survey_id = o.survey_id AND r.response_id = o.response_id";

    /// <summary>Returns up to <paramref name="limit"/> items of <paramref name="kind"/> after <paramref name="afterItemId"/>, by id.</summary>
    public async Task<IReadOnlyList<OutreachItemRecord>> ListAsync(
        OutreachKind kind, OutreachFilter filter, long afterItemId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await readOnlyDataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<OutreachItemRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM {From}
            WHERE o.kind = @kind AND o.item_id > @afterItemId
              AND (@surveyId::text IS NULL OR o.survey_id = @surveyId)
              AND (cardinality(@statuses::text[]) = 0 OR o.status = ANY(@statuses))
              AND (@owner::text IS NULL OR o.owner = @owner)
              AND (cardinality(@reasons::text[]) = 0 OR o.reason = ANY(@reasons))
              AND (@respondedFrom::timestamptz IS NULL OR o.responded_at >= @respondedFrom)
              AND (@respondedTo::timestamptz IS NULL OR o.responded_at < @respondedTo)
            ORDER BY o.item_id
            LIMIT @limit
            """,
            new
            {
                kind = KindText(kind),
                afterItemId,
                surveyId = filter.SurveyId,
                statuses = filter.Statuses.ToArray(),
                owner = filter.Owner,
                reasons = filter.Reasons.ToArray(),
                respondedFrom = filter.RespondedFrom,
                respondedTo = filter.RespondedTo,
                limit,
            },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Returns the item, or null when no item of <paramref name="kind"/> has that id.</summary>
    public async Task<OutreachItemRecord?> GetAsync(OutreachKind kind, long itemId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<OutreachItemRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM {From} WHERE o.kind = @kind AND o.item_id = @itemId",
            new { kind = KindText(kind), itemId },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Applies a change to the item if its version is still <paramref name="expectedVersion"/>, raising the version by
    /// one, and returns the updated item; returns null when the item has another version (or no longer exists).
    /// A null <paramref name="owner"/> or <paramref name="note"/> keeps the stored value.
    /// </summary>
    public async Task<OutreachItemRecord?> UpdateAsync(
        OutreachKind kind, long itemId, long expectedVersion, string status, string? owner, string? note, DateTime now,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<OutreachItemRecord>(new CommandDefinition(
            $"""
            WITH updated AS (
                UPDATE outreach_items
                SET status = @status, owner = coalesce(@owner, owner), note = coalesce(@note, note),
                    version = version + 1, update_time = @now,
                    status_time = CASE WHEN status = @status THEN status_time ELSE @now END
                WHERE kind = @kind AND item_id = @itemId AND version = @expectedVersion
                RETURNING *)
            SELECT {Columns} FROM updated o
            LEFT JOIN responses r ON r.survey_id = o.survey_id AND r.response_id = o.response_id
            """,
            new { kind = KindText(kind), itemId, expectedVersion, status, owner, note, now },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Whether this database has handed out <paramref name="position"/>: its load sequence and item id are at most the
    /// last values of their sequences. A cursor beyond them comes from another database or from before a restore, and
    /// a subscriber that resumed there would skip every item until the sequences caught up.
    /// </summary>
    public async Task<bool> IsIssuedAsync(FeedPosition position, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT @loadSeq <= coalesce(pg_sequence_last_value('response_load_seq'), 0)
               AND @itemId <= coalesce(pg_sequence_last_value(pg_get_serial_sequence('outreach_items', 'item_id')::regclass), 0)
            """,
            new { loadSeq = position.LoadSeq, itemId = position.ItemId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Whether a committed follow-up item lies after <paramref name="position"/>, optionally in one survey.</summary>
    public async Task<bool> HasFollowUpsAfterAsync(FeedPosition position, string? surveyId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (
                SELECT 1 FROM outreach_items o
                WHERE o.kind = 'follow_up' AND (o.load_seq, o.item_id) > (@loadSeq, @itemId)
                  AND (@surveyId::text IS NULL OR o.survey_id = @surveyId))
            """,
            new { loadSeq = position.LoadSeq, itemId = position.ItemId, surveyId },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Returns up to <paramref name="limit"/> follow-up items after <paramref name="position"/> whose load sequence is
    /// at most <paramref name="settledLoadSeq"/>, in (load sequence, item id) order. Every batch up to a settled load
    /// sequence has ended, so no item can appear later in the range this returns.
    /// </summary>
    public async Task<IReadOnlyList<OutreachItemRecord>> ReadFollowUpFeedAsync(
        FeedPosition position, long settledLoadSeq, string? surveyId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<OutreachItemRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM {From}
            WHERE o.kind = 'follow_up' AND (o.load_seq, o.item_id) > (@loadSeq, @itemId) AND o.load_seq <= @settled
              AND (@surveyId::text IS NULL OR o.survey_id = @surveyId)
            ORDER BY o.load_seq, o.item_id
            LIMIT @limit
            """,
            new { loadSeq = position.LoadSeq, itemId = position.ItemId, settled = settledLoadSeq, surveyId, limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private static string KindText(OutreachKind kind) => kind == OutreachKind.FollowUp ? "follow_up" : "advocacy";
}

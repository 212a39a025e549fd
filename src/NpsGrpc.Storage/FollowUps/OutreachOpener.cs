using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Domain.Validation;

namespace NpsGrpc.Storage.FollowUps;

/// <summary>
/// Opens the follow-up items and advocacy candidates of a batch's newly inserted responses, in the batch's transaction
/// and in one set-based statement. Only responses inserted by this batch (its load sequence) count, so a retried batch
/// opens nothing, and the unique key (kind, survey, response) makes that hold even across ingest paths.
/// </summary>
public static class OutreachOpener
{
    // A response opens at most one item, and the first rule that applies wins. A detractor response opens a 'detractor'
    // follow-up. A response at least @min_drop points under the customer's previous one opens a 'score_drop'
    // follow-up, but only when it is now the customer's latest by (responded_at, response_id), so a late response
    // older than the latest is never a score drop. A promoter response with a non-blank comment opens an advocacy
    // candidate.
    // NOTE: two batches of one customer that commit concurrently do not see each other's rows, so neither may count
    // the other as the previous or the later response.
    // The batch's rows are found by primary key, one probe per id of the unnested array. With "response_id = ANY(...)"
    // the planner, working from statistics older than the batches just loaded, scanned every row of the survey or
    // the lossy BRIN ranges of load_seq for each batch, so ingest slowed as the table grew. "load_seq + 0" keeps it
    // off that BRIN index.
    private const string OpenSql =
        """
        WITH batch AS (
            SELECT r.response_id, r.customer_id, r.score, r.responded_at, r.comment
            FROM unnest(@response_ids) AS ids(response_id)
            JOIN responses r ON r.survey_id = @survey_id AND r.response_id = ids.response_id
            WHERE r.load_seq + 0 = @load_seq
        ),
        judged AS (
            SELECT b.response_id, b.customer_id, b.score, b.responded_at, b.comment, previous.score AS previous_score,
                   NOT EXISTS (
                       SELECT 1 FROM responses later
                       WHERE later.survey_id = @survey_id AND later.customer_id = b.customer_id
                         AND (later.responded_at, later.response_id) > (b.responded_at, b.response_id)) AS is_latest
            FROM batch b
            LEFT JOIN LATERAL (
                SELECT earlier.score FROM responses earlier
                WHERE earlier.survey_id = @survey_id AND earlier.customer_id = b.customer_id
                  AND (earlier.responded_at, earlier.response_id) < (b.responded_at, b.response_id)
                ORDER BY earlier.responded_at DESC, earlier.response_id DESC
                LIMIT 1) previous ON true
        ),
        classified AS (
            SELECT j.*,
                   CASE
                       WHEN j.score <= 6 THEN 'detractor'
                       WHEN @min_drop > 0 AND j.is_latest AND j.previous_score - j.score >= @min_drop THEN 'score_drop'
                       WHEN j.score >= 9 AND j.comment ~ '[^[:space:]]' THEN 'promoter_comment'
                   END AS reason
            FROM judged j
        ),
        opened AS (
            INSERT INTO outreach_items (kind, survey_id, response_id, customer_id, reason, score, previous_score,
                                        responded_at, load_seq, status, create_time, update_time, status_time)
            SELECT CASE WHEN c.reason = 'promoter_comment' THEN 'advocacy' ELSE 'follow_up' END,
                   @survey_id, c.response_id, c.customer_id, c.reason, c.score, c.previous_score, c.responded_at,
                   @load_seq,
                   CASE WHEN c.reason = 'promoter_comment' THEN 'candidate' ELSE 'open' END,
                   @now, @now, @now
            FROM classified c
            WHERE c.reason IS NOT NULL
            ORDER BY c.response_id
            ON CONFLICT (kind, survey_id, response_id) DO NOTHING
            RETURNING 1)
        SELECT count(*)::integer FROM opened
        """;

    /// <summary>
    /// Opens the items of <paramref name="inserted"/>, the responses the current transaction inserted under
    /// <paramref name="loadSequence"/>, and returns how many it opened.
    /// </summary>
    public static async Task<int> OpenAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string surveyId,
        IReadOnlyList<ValidatedResponse> inserted,
        long loadSequence,
        DateTime now,
        FollowUpOptions options,
        CancellationToken cancellationToken)
    {
        // Only these scores can open an item, so the statement looks up no other rows. A score drop of d points
        // ends at 10 - d or lower.
        int maxDropScore = options.MinScoreDrop == 0 ? -1 : ScoreCategories.MaxScore - options.MinScoreDrop;
        var candidates = inserted
            .Where(r => ScoreCategories.Categorize(r.Score) == ScoreCategory.Detractor || r.Score <= maxDropScore
                        || (ScoreCategories.Categorize(r.Score) == ScoreCategory.Promoter && !string.IsNullOrWhiteSpace(r.Comment)))
            .Select(r => r.ResponseId)
            .ToArray();
        if (candidates.Length == 0)
        {
            return 0;
        }

        await using var command = new NpgsqlCommand(OpenSql, connection, transaction);
        command.Parameters.AddWithValue("survey_id", NpgsqlDbType.Text, surveyId);
        command.Parameters.AddWithValue("response_ids", NpgsqlDbType.Array | NpgsqlDbType.Text, candidates);
        command.Parameters.AddWithValue("load_seq", NpgsqlDbType.Bigint, loadSequence);
        command.Parameters.AddWithValue("min_drop", NpgsqlDbType.Integer, options.MinScoreDrop);
        command.Parameters.AddWithValue("now", NpgsqlDbType.TimestampTz, now);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Storage.Connections;
using NpsGrpc.Storage.Queries;

namespace NpsGrpc.Storage.Insights;

/// <summary>Reads comments: every comment of a selection for theme scoring, and full-text search with keyset paging.</summary>
public sealed class CommentStore([FromKeyedServices(DataSourceKeys.ReadOnly)] NpgsqlDataSource dataSource)
{
    // Must match the expression of the index responses_comment_search (migration 0008) for the index to be used.
    // NOTE: PostgreSQL's default parser keeps a run of Chinese or Japanese text as one token, so such text matches
    // only as a whole run between spaces or punctuation.
    private const string SearchVector = "to_tsvector('simple', r.comment)";

    private const string HeadlineOptions =
        "StartSel=\"«\", StopSel=\"»\", MaxFragments=2, MaxWords=20, MinWords=8, FragmentDelimiter=\" … \"";

    /// <summary>
    /// Streams the score and comment of every promoter and detractor response that <paramref name="selection"/>
    /// selects and that has a comment with a character other than white space.
    /// </summary>
    public async IAsyncEnumerable<(int Score, string Comment)> ReadPromoterAndDetractorCommentsAsync(
        CountQuery selection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        string where = ResponseSelection.Bind(selection, command.Parameters);
        command.CommandText =
            $"SELECT r.score, r.comment FROM responses r WHERE {where} AND (r.score >= 9 OR r.score <= 6) " +
            "AND r.comment ~ '\\S'";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return (reader.GetInt16(0), reader.GetString(1));
        }
    }

    /// <summary>Returns whether <paramref name="text"/> contains a word that the 'simple' configuration searches for.</summary>
    public async Task<bool> HasSearchTermsAsync(string text, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT numnode(websearch_to_tsquery('simple', @text)) > 0");
        command.Parameters.AddWithValue("text", NpgsqlDbType.Text, text);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Returns up to <see cref="CommentSearch.PageSize"/> matches of <paramref name="search"/> among the responses
    /// <paramref name="selection"/> selects, newest first, then by survey id and response id.
    /// </summary>
    public async Task<IReadOnlyList<CommentMatchRow>> SearchAsync(
        CountQuery selection, CommentSearch search, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        var parameters = command.Parameters;
        var conditions = new List<string>
        {
            ResponseSelection.Bind(selection, parameters),
            "r.comment IS NOT NULL",
            $"{SearchVector} @@ q.query",
        };
        parameters.AddWithValue("text", NpgsqlDbType.Text, search.Text);
        parameters.AddWithValue("options", NpgsqlDbType.Text, HeadlineOptions);
        parameters.AddWithValue("limit", NpgsqlDbType.Integer, search.PageSize);

        if (search.ScoreRanges.Count > 0)
        {
            var ranges = new List<string>();
            for (int i = 0; i < search.ScoreRanges.Count; i++)
            {
                parameters.AddWithValue($"low{i}", NpgsqlDbType.Smallint, (short)search.ScoreRanges[i].Lowest);
                parameters.AddWithValue($"high{i}", NpgsqlDbType.Smallint, (short)search.ScoreRanges[i].Highest);
                ranges.Add($"r.score BETWEEN @low{i} AND @high{i}");
            }

            conditions.Add("(" + string.Join(" OR ", ranges) + ")");
        }

        if (search.After is { } after)
        {
            parameters.AddWithValue("afterTime", NpgsqlDbType.TimestampTz, after.RespondedAt);
            parameters.AddWithValue("afterSurvey", NpgsqlDbType.Text, after.SurveyId);
            parameters.AddWithValue("afterResponse", NpgsqlDbType.Text, after.ResponseId);
            conditions.Add(
                "(r.responded_at < @afterTime OR (r.responded_at = @afterTime AND " +
                "(r.survey_id, r.response_id) > (@afterSurvey, @afterResponse)))");
        }

        // The headline is computed only for the rows of the page, after the limit.
        command.CommandText =
            $"""
            SELECT m.survey_id, m.response_id, m.customer_id, m.score, m.responded_at, m.comment,
                   ts_headline('simple', m.comment, m.query, @options)
            FROM (
                SELECT r.survey_id, r.response_id, r.customer_id, r.score, r.responded_at, r.comment, q.query
                FROM responses r, websearch_to_tsquery('simple', @text) q(query)
                WHERE {string.Join(" AND ", conditions)}
                ORDER BY r.responded_at DESC, r.survey_id, r.response_id
                LIMIT @limit
            ) m
            ORDER BY m.responded_at DESC, m.survey_id, m.response_id
            """;

        var matches = new List<CommentMatchRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            matches.Add(new CommentMatchRow(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt16(3),
                reader.GetFieldValue<DateTime>(4),
                reader.GetString(5),
                reader.GetString(6)));
        }

        return matches;
    }
}

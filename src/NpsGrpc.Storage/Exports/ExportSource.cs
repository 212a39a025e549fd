using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;

namespace NpsGrpc.Storage.Exports;

/// <summary>Which responses a run reads: a load sequence range, optionally narrowed to surveys and an instant range.</summary>
/// <param name="SurveyIds">Surveys; empty means all.</param>
/// <param name="LowMark">Rows with a load sequence above this.</param>
/// <param name="HighMark">Rows with a load sequence at or below this.</param>
/// <param name="From">For restatements, the first instant, inclusive.</param>
/// <param name="To">For restatements, the last instant, exclusive.</param>
public sealed record ResponseSelection(IReadOnlyList<string> SurveyIds, long LowMark, long HighMark, DateTime? From = null, DateTime? To = null)
{
    /// <summary>
    /// Whether the selection reads every response of its surveys up to <see cref="HighMark"/>: no instant range, and a
    /// low mark below 0, the smallest load sequence (rows stored before exports existed have 0).
    /// </summary>
    public bool CoversAllRows => LowMark < 0 && From is null && To is null;
}

/// <summary>A survey as the survey dimension shows it.</summary>
/// <param name="SurveyId">Id.</param>
/// <param name="DisplayName">Name.</param>
/// <param name="Description">Description.</param>
/// <param name="CreateTime">Creation time.</param>
public sealed record SurveyRow(string SurveyId, string DisplayName, string Description, DateTime CreateTime);

/// <summary>Reads what an export writes.</summary>
public sealed class ExportSource(NpgsqlDataSource dataSource)
{
    /// <summary>Separator of several values of one customer attribute.</summary>
    public const string ValueSeparator = " | ";

    /// <summary>
    /// The response attribute keys recorded for <paramref name="surveyIds"/> (all surveys when empty): every key that
    /// occurs in their rows, and possibly a key whose batch is still committing.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResponseAttributeKeysAsync(IReadOnlyList<string> surveyIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var keys = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT key FROM response_attribute_keys WHERE cardinality(@ids) = 0 OR survey_id = ANY(@ids) ORDER BY 1",
            new { ids = surveyIds.ToArray() }, cancellationToken: cancellationToken));
        return keys.AsList();
    }

    /// <summary>
    /// Starts a binary COPY of <see cref="ResponsesQuery"/> on <paramref name="connection"/>. The reader has no timeout:
    /// an export of millions of rows reads for minutes.
    /// </summary>
    public static async Task<BinaryCopyReader> OpenResponsesAsync(
        NpgsqlConnection connection, ResponseSelection selection, IReadOnlyList<string> attributeKeys, CancellationToken cancellationToken)
    {
        var copy = await connection.BeginRawBinaryCopyAsync(
            $"COPY ({ResponsesQuery(selection, attributeKeys)}) TO STDOUT (FORMAT BINARY)", cancellationToken);
        copy.ReadTimeout = 0;
        return new BinaryCopyReader(copy);
    }

    /// <summary>
    /// The statement that reads the selected rows in physical order, with the columns responded_at, received_at, score,
    /// weight, survey_id, response_id, customer_id, comment, then the value of each of <paramref name="attributeKeys"/>
    /// (null when absent). The instants come first, so a reader knows a row's date before its text. survey_id is left
    /// out when the selection names one survey (see <see cref="ReadsSurveyId"/>): every row has that id, and sending
    /// it with each row cost a quarter of the bytes read.
    /// </summary>
    public static string ResponsesQuery(ResponseSelection selection, IReadOnlyList<string> attributeKeys)
    {
        var sql = new StringBuilder("SELECT responded_at, received_at, score, weight, ");
        if (ReadsSurveyId(selection))
        {
            sql.Append("survey_id, ");
        }

        sql.Append("response_id, customer_id, comment");
        foreach (string key in attributeKeys)
        {
            sql.Append(", attributes ->> ").Append(Literal(key));
        }

        return sql.Append(" FROM responses r WHERE ").Append(Where(selection)).ToString();
    }

    /// <summary>Whether <see cref="ResponsesQuery"/> returns the survey_id column: when the selection names no survey or several.</summary>
    public static bool ReadsSurveyId(ResponseSelection selection) => selection.SurveyIds.Count != 1;

    /// <summary>Customer attribute keys stored on the server.</summary>
    public async Task<IReadOnlyList<string>> CustomerAttributeKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var keys = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT key FROM customer_attributes ORDER BY 1", cancellationToken: cancellationToken));
        return keys.AsList();
    }

    /// <summary>
    /// Starts, on <paramref name="connection"/>, a binary COPY of every customer with a committed response in
    /// <paramref name="surveyIds"/> (all surveys when empty), in no particular order, with the columns customer_id,
    /// update_time (null for a customer never upserted) and attributes (null, or a JSON object of each key's values
    /// joined by <see cref="ValueSeparator"/>). For one survey the ids come from the index on (survey_id, customer_id,
    /// ...) in order, without reading the responses themselves. The ids are not limited to a run's load sequence range,
    /// so a customer whose first response committed after the run's high mark is listed one run before its first fact
    /// row. The COPY runs in a transaction that stays open until the connection is closed.
    /// </summary>
    public static async Task<BinaryCopyReader> OpenCustomersAsync(
        NpgsqlConnection connection, IReadOnlyList<string> surveyIds, CancellationToken cancellationToken)
    {
        // Hashing millions of customer ids and joining their attributes spills to disk with the default work_mem,
        // which tripled the time. For one survey the index returns the ids in order, so grouping them needs no hash.
        // With the larger work_mem the planner picked the hash anyway, which took 3.2 s instead of 1.1 s.
        await BeginWithSettingsAsync(
            connection,
            surveyIds.Count == 1 ? "SET LOCAL work_mem = '256MB'; SET LOCAL enable_hashagg = off" : "SET LOCAL work_mem = '256MB'",
            cancellationToken);

        // Attributes are grouped once per customer that has any, then hash-joined, instead of a subquery per id.
        var copy = await connection.BeginRawBinaryCopyAsync(
            $"""
            COPY (
                WITH ids AS (SELECT customer_id FROM responses r WHERE {SurveyCondition(surveyIds)} GROUP BY customer_id),
                     {AttributesByCustomer}
                SELECT i.customer_id, c.update_time, a.attributes
                FROM ids i LEFT JOIN customers c USING (customer_id) LEFT JOIN attributes a USING (customer_id)
            ) TO STDOUT (FORMAT BINARY)
            """, cancellationToken);
        copy.ReadTimeout = 0;
        return new BinaryCopyReader(copy);
    }

    /// <summary>
    /// Starts, on <paramref name="connection"/>, a binary COPY of every customer that was upserted, of any survey, with
    /// the columns of <see cref="OpenCustomersAsync"/>. A run that collected its customer ids from its fact rows reads
    /// the customers' data from here and keeps the rows of its own ids. The COPY runs in a transaction that stays open
    /// until the connection is closed.
    /// </summary>
    public static async Task<BinaryCopyReader> OpenUpsertedCustomersAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await BeginWithSettingsAsync(connection, "SET LOCAL work_mem = '256MB'", cancellationToken);
        var copy = await connection.BeginRawBinaryCopyAsync(
            $"""
            COPY (
                WITH {AttributesByCustomer}
                SELECT c.customer_id, c.update_time, a.attributes FROM customers c LEFT JOIN attributes a USING (customer_id)
            ) TO STDOUT (FORMAT BINARY)
            """, cancellationToken);
        copy.ReadTimeout = 0;
        return new BinaryCopyReader(copy);
    }

    // Each customer's attributes as one JSON object of key to values, sorted and joined.
    private const string AttributesByCustomer =
        $"""
        attributes AS (
                         SELECT customer_id, jsonb_object_agg(key, joined)::text AS attributes
                         FROM (SELECT customer_id, key, string_agg(value, '{ValueSeparator}' ORDER BY value COLLATE "C") AS joined
                               FROM customer_attributes GROUP BY customer_id, key) a
                         GROUP BY customer_id)
        """;

    private static async Task BeginWithSettingsAsync(NpgsqlConnection connection, string settings, CancellationToken cancellationToken)
    {
        await using (var begin = new NpgsqlCommand("BEGIN", connection))
        {
            await begin.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var set = new NpgsqlCommand(settings, connection);
        await set.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The surveys of <paramref name="surveyIds"/>, or every survey when empty, ordered by id.</summary>
    public async Task<IReadOnlyList<SurveyRow>> SurveysAsync(IReadOnlyList<string> surveyIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SurveyRow>(new CommandDefinition(
            """
            SELECT survey_id AS SurveyId, display_name AS DisplayName, description AS Description, create_time AS CreateTime
            FROM surveys WHERE cardinality(@ids) = 0 OR survey_id = ANY(@ids) ORDER BY survey_id
            """,
            new { ids = surveyIds.ToArray() }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private static string SurveyCondition(IReadOnlyList<string> surveyIds) =>
        surveyIds.Count == 0 ? "true" : $"r.survey_id IN ({string.Join(", ", surveyIds.Select(Literal))})";

    // COPY takes no parameters, so the selection is written as literals: numbers, instants in ISO form, and survey ids,
    // which the API restricts to lowercase letters, digits and hyphens. Literal() escapes quotes regardless.
    private static string Where(ResponseSelection selection)
    {
        var where = new StringBuilder();
        where.Append(CultureInfo.InvariantCulture, $"r.load_seq <= {selection.HighMark}");
        if (selection.LowMark > long.MinValue)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND r.load_seq > {selection.LowMark}");
        }

        if (selection.SurveyIds.Count > 0)
        {
            where.Append(" AND r.survey_id IN (").AppendJoin(", ", selection.SurveyIds.Select(Literal)).Append(')');
        }

        if (selection.From is { } from)
        {
            where.Append(" AND r.responded_at >= ").Append(Literal(from.ToString("O", CultureInfo.InvariantCulture))).Append("::timestamptz");
        }

        if (selection.To is { } to)
        {
            where.Append(" AND r.responded_at < ").Append(Literal(to.ToString("O", CultureInfo.InvariantCulture))).Append("::timestamptz");
        }

        return where.ToString();
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

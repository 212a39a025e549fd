using System.Text;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Domain.Scoring;

namespace NpsGrpc.Storage.Queries;

/// <summary>
/// Counts promoters, passives and detractors (and weight sums) from the raw response rows. Attribute keys, values,
/// time zones and bucket units are always bound parameters; only the shape of the SQL varies with the request.
/// </summary>
public sealed class ResponseCounter(NpgsqlDataSource dataSource)
{
    /// <summary>Runs every query in one round trip and returns the rows of each, in query order.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<CountRow>>> CountAsync(
        IReadOnlyList<CountQuery> queries, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var query in queries)
        {
            batch.BatchCommands.Add(BuildCommand(query));
        }

        var results = new List<IReadOnlyList<CountRow>>(queries.Count);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var query in queries)
        {
            var rows = new List<CountRow>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(ReadRow(reader, query));
            }

            results.Add(rows);
            await reader.NextResultAsync(cancellationToken);
        }

        return results;
    }

    private static CountRow ReadRow(NpgsqlDataReader reader, CountQuery query)
    {
        int column = 0;
        var values = new string?[query.GroupBy.Count];
        for (int i = 0; i < values.Length; i++, column++)
        {
            values[i] = reader.IsDBNull(column) ? null : reader.GetString(column);
        }

        DateOnly? bucket = null;
        if (query.Bucketing is not null)
        {
            bucket = reader.GetFieldValue<DateOnly>(column++);
        }

        var counts = new NpsCounts(reader.GetInt64(column), reader.GetInt64(column + 1), reader.GetInt64(column + 2));
        var weights = query.Weighted
            ? new WeightedNpsCounts(
                reader.GetDouble(column + 3), reader.GetDouble(column + 4), reader.GetDouble(column + 5), reader.GetDouble(column + 6))
            : default;
        return new CountRow(values, bucket, counts, weights);
    }

    private static NpgsqlBatchCommand BuildCommand(CountQuery query)
    {
        var command = new NpgsqlBatchCommand();
        var parameters = command.Parameters;
        var select = new StringBuilder("SELECT ");
        var from = new StringBuilder("FROM responses r");
        var groupColumns = new List<string>();

        for (int i = 0; i < query.GroupBy.Count; i++)
        {
            var attribute = query.GroupBy[i];
            parameters.AddWithValue($"g{i}", NpgsqlDbType.Text, attribute.Key);
            if (attribute.Source == AttributeSource.Customer)
            {
                // A multi-valued attribute yields one joined row per value, so the response counts in each.
                from.Append($" LEFT JOIN customer_attributes ca{i} ON ca{i}.customer_id = r.customer_id AND ca{i}.key = @g{i}");
                select.Append($"ca{i}.value, ");
            }
            else
            {
                select.Append($"r.attributes ->> @g{i}, ");
            }

            groupColumns.Add((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (query.Bucketing is { } bucketing)
        {
            parameters.AddWithValue("unit", NpgsqlDbType.Text, bucketing.DateTruncUnit);
            parameters.AddWithValue("zone", NpgsqlDbType.Text, bucketing.TimeZone);
            select.Append("date_trunc(@unit, r.responded_at AT TIME ZONE @zone)::date, ");
            groupColumns.Add((query.GroupBy.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        select.Append(
            "count(*) FILTER (WHERE r.score >= 9), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8), " +
            "count(*) FILTER (WHERE r.score <= 6)");
        if (query.Weighted)
        {
            select.Append(
                ", coalesce(sum(coalesce(r.weight, 1)) FILTER (WHERE r.score >= 9), 0)" +
                ", coalesce(sum(coalesce(r.weight, 1)) FILTER (WHERE r.score BETWEEN 7 AND 8), 0)" +
                ", coalesce(sum(coalesce(r.weight, 1)) FILTER (WHERE r.score <= 6), 0)" +
                ", coalesce(sum(coalesce(r.weight, 1) * coalesce(r.weight, 1)), 0)");
        }

        var sql = new StringBuilder();
        sql.Append(select).Append(' ').Append(from).Append(' ').Append(BuildWhere(query, parameters));
        if (groupColumns.Count > 0)
        {
            string columns = string.Join(", ", groupColumns);
            sql.Append(" GROUP BY ").Append(columns);
            sql.Append(" ORDER BY ").Append(string.Join(", ", groupColumns.Select(c => c + " NULLS LAST")));
        }

        command.CommandText = sql.ToString();
        return command;
    }

    private static string BuildWhere(CountQuery query, NpgsqlParameterCollection parameters)
    {
        parameters.AddWithValue("surveys", NpgsqlDbType.Array | NpgsqlDbType.Text, query.SurveyIds.ToArray());
        var conditions = new List<string> { "r.survey_id = ANY(@surveys)" };
        if (query.From is { } start)
        {
            parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, start);
            conditions.Add("r.responded_at >= @from");
        }

        if (query.To is { } end)
        {
            parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, end);
            conditions.Add("r.responded_at < @to");
        }

        for (int i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            parameters.AddWithValue($"fk{i}", NpgsqlDbType.Text, filter.Key);
            parameters.AddWithValue($"fv{i}", NpgsqlDbType.Array | NpgsqlDbType.Text, filter.Values.ToArray());
            conditions.Add(filter.Source == AttributeSource.Response ? ResponseCondition(filter.Operator, i) : CustomerCondition(filter.Operator, i));
        }

        return "WHERE " + string.Join(" AND ", conditions);
    }

    private static string ResponseCondition(FilterOperator op, int i) => op switch
    {
        FilterOperator.In => $"r.attributes ->> @fk{i} = ANY(@fv{i})",
        FilterOperator.NotIn => $"NOT coalesce(r.attributes ->> @fk{i} = ANY(@fv{i}), false)",
        FilterOperator.Present => $"r.attributes ->> @fk{i} IS NOT NULL",
        FilterOperator.Missing => $"r.attributes ->> @fk{i} IS NULL",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown filter operator."),
    };

    private static string CustomerCondition(FilterOperator op, int i)
    {
        string match = $"SELECT 1 FROM customer_attributes f WHERE f.customer_id = r.customer_id AND f.key = @fk{i}";
        return op switch
        {
            FilterOperator.In => $"EXISTS ({match} AND f.value = ANY(@fv{i}))",
            FilterOperator.NotIn => $"NOT EXISTS ({match} AND f.value = ANY(@fv{i}))",
            FilterOperator.Present => $"EXISTS ({match})",
            FilterOperator.Missing => $"NOT EXISTS ({match})",
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown filter operator."),
        };
    }
}

using System.Text;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Domain.Scoring;

namespace NpsGrpc.Storage.Queries;

/// <summary>Category counts of one group: the values of the grouping attributes (null for missing) and the counts.</summary>
public sealed record GroupCounts(IReadOnlyList<string?> Values, NpsCounts Counts);

/// <summary>Overall and grouped category counts.</summary>
public sealed record NpsCountResult(NpsCounts Overall, IReadOnlyList<GroupCounts> Groups);

/// <summary>
/// Counts promoters, passives and detractors from the raw response rows. Attribute keys are always bound
/// parameters; only the shape of the SQL (which join or JSON lookup per grouping attribute) varies.
/// </summary>
public sealed class NpsCountStore(NpgsqlDataSource dataSource)
{
    private const string CountColumns =
        """
        count(*) FILTER (WHERE r.score >= 9)::bigint AS promoters,
        count(*) FILTER (WHERE r.score BETWEEN 7 AND 8)::bigint AS passives,
        count(*) FILTER (WHERE r.score <= 6)::bigint AS detractors
        """;

    private const string Filter =
        """
        WHERE r.survey_id = @survey_id
          AND (@from::timestamptz IS NULL OR r.responded_at >= @from)
          AND (@to::timestamptz IS NULL OR r.responded_at < @to)
        """;

    /// <summary>Counts the responses that match <paramref name="query"/>, overall and per group.</summary>
    public async Task<NpsCountResult> CountAsync(NpsQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);

        var overall = new NpgsqlBatchCommand($"SELECT {CountColumns} FROM responses r {Filter}");
        AddFilterParameters(overall.Parameters, query);
        batch.BatchCommands.Add(overall);

        if (query.GroupBy.Count > 0)
        {
            var grouped = new NpgsqlBatchCommand(BuildGroupedSql(query.GroupBy));
            AddFilterParameters(grouped.Parameters, query);
            for (int i = 0; i < query.GroupBy.Count; i++)
            {
                grouped.Parameters.AddWithValue($"key{i}", NpgsqlDbType.Text, query.GroupBy[i].Key);
            }

            batch.BatchCommands.Add(grouped);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var overallCounts = new NpsCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));

        var groups = new List<GroupCounts>();
        if (query.GroupBy.Count > 0 && await reader.NextResultAsync(cancellationToken))
        {
            int width = query.GroupBy.Count;
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = new string?[width];
                for (int i = 0; i < width; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                }

                var counts = new NpsCounts(reader.GetInt64(width), reader.GetInt64(width + 1), reader.GetInt64(width + 2));
                groups.Add(new GroupCounts(values, counts));
            }
        }

        return new NpsCountResult(overallCounts, groups);
    }

    private static string BuildGroupedSql(IReadOnlyList<GroupingAttribute> groupBy)
    {
        var select = new StringBuilder("SELECT ");
        var joins = new StringBuilder();
        var order = new StringBuilder();
        for (int i = 0; i < groupBy.Count; i++)
        {
            string valueExpression = groupBy[i].Source switch
            {
                AttributeSource.Response => $"r.attributes ->> @key{i}",
                AttributeSource.Customer => $"g{i}.value",
                _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy[i].Source, "Unknown attribute source."),
            };

            if (groupBy[i].Source == AttributeSource.Customer)
            {
                // A multi-valued attribute yields one joined row per value, so the response counts in each.
                joins.Append($" LEFT JOIN customer_attributes g{i} ON g{i}.customer_id = r.customer_id AND g{i}.key = @key{i}");
            }

            select.Append($"{valueExpression} AS value{i}, ");
            order.Append(i == 0 ? string.Empty : ", ").Append($"{i + 1} NULLS LAST");
        }

        string groupColumns = string.Join(", ", Enumerable.Range(1, groupBy.Count));
        return $"{select}{CountColumns} FROM responses r{joins} {Filter} GROUP BY {groupColumns} ORDER BY {order}";
    }

    private static void AddFilterParameters(NpgsqlParameterCollection parameters, NpsQuery query)
    {
        parameters.AddWithValue("survey_id", NpgsqlDbType.Text, query.SurveyId);
        parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, (object?)query.From ?? DBNull.Value);
        parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, (object?)query.To ?? DBNull.Value);
    }
}

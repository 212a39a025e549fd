using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace NpsGrpc.Storage.Queries;

/// <summary>SQL fragments shared by the raw and rollup count commands. Keys and values are always bound parameters.</summary>
internal static class CountSql
{
    /// <summary>Binds the survey list and the filters, and returns their conditions on the given attribute column.</summary>
    public static List<string> BindFilters(CountQuery query, NpgsqlParameterCollection parameters, string attributesColumn)
    {
        parameters.AddWithValue("surveys", NpgsqlDbType.Array | NpgsqlDbType.Text, query.SurveyIds.ToArray());
        var conditions = new List<string>();
        for (int i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            parameters.AddWithValue($"fk{i}", NpgsqlDbType.Text, filter.Key);
            parameters.AddWithValue($"fv{i}", NpgsqlDbType.Array | NpgsqlDbType.Text, filter.Values.ToArray());
            conditions.Add(filter.Source == AttributeSource.Response
                ? ResponseCondition(filter.Operator, i, attributesColumn)
                : CustomerCondition(filter.Operator, i));
        }

        return conditions;
    }

    /// <summary>Binds the grouping keys and returns one value expression per grouping attribute.</summary>
    public static List<string> BindGroupValues(CountQuery query, NpgsqlParameterCollection parameters, string attributesColumn)
    {
        var values = new List<string>();
        for (int i = 0; i < query.GroupBy.Count; i++)
        {
            parameters.AddWithValue($"g{i}", NpgsqlDbType.Text, query.GroupBy[i].Key);
            values.Add(query.GroupBy[i].Source == AttributeSource.Customer ? $"ca{i}.value" : $"{attributesColumn} ->> @g{i}");
        }

        return values;
    }

    /// <summary>
    /// Returns LEFT JOINs of the customer grouping attributes. A multi-valued attribute yields one joined row per value,
    /// so the response counts in each.
    /// </summary>
    public static string CustomerJoins(CountQuery query, string customerIdColumn)
    {
        var joins = new List<string>();
        for (int i = 0; i < query.GroupBy.Count; i++)
        {
            if (query.GroupBy[i].Source == AttributeSource.Customer)
            {
                joins.Add($"LEFT JOIN customer_attributes ca{i} ON ca{i}.customer_id = {customerIdColumn} AND ca{i}.key = @g{i}");
            }
        }

        return string.Join(" ", joins);
    }

    /// <summary>Returns " GROUP BY 1, 2, ..." for the first <paramref name="count"/> columns, or nothing for none.</summary>
    public static string GroupBy(int count) =>
        count == 0 ? string.Empty : " GROUP BY " + string.Join(", ", Columns(count));

    /// <summary>Returns " ORDER BY 1 NULLS LAST, ..." for the first <paramref name="count"/> columns, or nothing for none.</summary>
    public static string OrderBy(int count) =>
        count == 0 ? string.Empty : " ORDER BY " + string.Join(", ", Columns(count).Select(c => c + " NULLS LAST"));

    private static IEnumerable<string> Columns(int count) =>
        Enumerable.Range(1, count).Select(c => c.ToString(CultureInfo.InvariantCulture));

    private static string ResponseCondition(FilterOperator op, int i, string column) => op switch
    {
        FilterOperator.In => $"{column} ->> @fk{i} = ANY(@fv{i})",
        FilterOperator.NotIn => $"NOT coalesce({column} ->> @fk{i} = ANY(@fv{i}), false)",
        FilterOperator.Present => $"{column} ->> @fk{i} IS NOT NULL",
        FilterOperator.Missing => $"{column} ->> @fk{i} IS NULL",
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

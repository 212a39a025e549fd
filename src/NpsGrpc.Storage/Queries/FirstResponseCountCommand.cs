using Npgsql;
using NpgsqlTypes;

namespace NpsGrpc.Storage.Queries;

/// <summary>
/// Builds a count over the raw response rows grouped by the local date of each customer's first response, then by
/// time bucket. The first response is the earliest of the customer in the query's surveys, whatever the time
/// range and the filters, so a customer's cohort does not depend on the window queried.
/// </summary>
internal static class FirstResponseCountCommand
{
    /// <summary>
    /// Returns the command. Its columns are the first response's local date as YYYY-MM-DD, the bucket's first local
    /// date, promoters, passives and detractors, then the four weight sums when weighted.
    /// </summary>
    public static NpgsqlBatchCommand Build(CountQuery query)
    {
        if (query.GroupBy.Count > 0 || query.Bucketing is null)
        {
            throw new ArgumentException("A first-response count takes time buckets and no grouping attributes.", nameof(query));
        }

        var command = new NpgsqlBatchCommand();
        var parameters = command.Parameters;
        parameters.AddWithValue("unit", NpgsqlDbType.Text, query.Bucketing.DateTruncUnit);
        parameters.AddWithValue("zone", NpgsqlDbType.Text, query.Bucketing.TimeZone);
        var conditions = CountSql.BindFilters(query, parameters, "r.attributes");
        conditions.Insert(0, "r.survey_id = ANY(@surveys)");
        if (query.From is { } from)
        {
            parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from);
            conditions.Add("r.responded_at >= @from");
        }

        if (query.To is { } to)
        {
            parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, to);
            conditions.Add("r.responded_at < @to");
        }

        string select =
            "to_char((f.first_at AT TIME ZONE @zone)::date, 'YYYY-MM-DD'), " +
            "date_trunc(@unit, r.responded_at AT TIME ZONE @zone)::date, " +
            RawCountCommand.Counts + (query.Weighted ? RawCountCommand.WeightSums : "");
        command.CommandText =
            "WITH firsts AS (SELECT customer_id, min(responded_at) AS first_at FROM responses " +
            "WHERE survey_id = ANY(@surveys) GROUP BY customer_id) " +
            $"SELECT {select} FROM responses r JOIN firsts f ON f.customer_id = r.customer_id " +
            $"WHERE {string.Join(" AND ", conditions)}{CountSql.GroupBy(2)}{CountSql.OrderBy(2)}";
        return command;
    }
}

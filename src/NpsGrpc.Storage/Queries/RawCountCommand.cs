using Npgsql;
using NpgsqlTypes;

namespace NpsGrpc.Storage.Queries;

/// <summary>Builds the count of a <see cref="CountQuery"/> over the raw response rows.</summary>
internal static class RawCountCommand
{
    /// <summary>The promoter, passive and detractor count columns.</summary>
    public const string Counts =
        "count(*) FILTER (WHERE r.score >= 9), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8), " +
        "count(*) FILTER (WHERE r.score <= 6)";

    /// <summary>The weight sum columns of a weighted count.</summary>
    public const string WeightSums =
        ", coalesce(sum(coalesce(r.weight, 1)) FILTER (WHERE r.score >= 9), 0)" +
        ", coalesce(sum(coalesce(r.weight, 1)) FILTER (WHERE r.score BETWEEN 7 AND 8), 0)" +
        ", coalesce(sum(coalesce(r.weight, 1)) FILTER (WHERE r.score <= 6), 0)" +
        ", coalesce(sum(coalesce(r.weight, 1) * coalesce(r.weight, 1)), 0)";

    /// <summary>
    /// Returns the command. Its columns are the group values, then the bucket's first local date when bucketed, then
    /// promoters, passives and detractors, then the four weight sums when weighted.
    /// </summary>
    public static NpgsqlBatchCommand Build(CountQuery query)
    {
        var command = new NpgsqlBatchCommand();
        var parameters = command.Parameters;
        var columns = CountSql.BindGroupValues(query, parameters, "r.attributes");
        if (query.Bucketing is { } bucketing)
        {
            parameters.AddWithValue("unit", NpgsqlDbType.Text, bucketing.DateTruncUnit);
            parameters.AddWithValue("zone", NpgsqlDbType.Text, bucketing.TimeZone);
            columns.Add("date_trunc(@unit, r.responded_at AT TIME ZONE @zone)::date");
        }

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

        string select = string.Join("", columns.Select(c => c + ", ")) + Counts + (query.Weighted ? WeightSums : "");
        command.CommandText =
            $"SELECT {select} FROM responses r {CountSql.CustomerJoins(query, "r.customer_id")} " +
            $"WHERE {string.Join(" AND ", conditions)}{CountSql.GroupBy(columns.Count)}{CountSql.OrderBy(columns.Count)}";
        return command;
    }
}

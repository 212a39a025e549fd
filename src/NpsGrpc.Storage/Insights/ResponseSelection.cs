using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Storage.Queries;

namespace NpsGrpc.Storage.Insights;

/// <summary>Binds the survey, range and filter conditions of a <see cref="CountQuery"/> on the responses alias r.</summary>
internal static class ResponseSelection
{
    /// <summary>Binds the parameters and returns the conditions joined with AND.</summary>
    public static string Bind(CountQuery query, NpgsqlParameterCollection parameters)
    {
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

        return string.Join(" AND ", conditions);
    }
}

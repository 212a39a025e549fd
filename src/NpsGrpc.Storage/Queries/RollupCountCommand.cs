using Npgsql;
using NpgsqlTypes;

namespace NpsGrpc.Storage.Queries;

/// <summary>
/// Builds the count of a <see cref="CountQuery"/> from the daily and hourly rollups plus the raw rows of sub-hour
/// edges. Only valid when every filter and grouping attribute is a response attribute kept in the rollups.
/// </summary>
internal static class RollupCountCommand
{
    /// <summary>Earliest instant any response can have; the validator rejects older ones.</summary>
    private static readonly DateTime Earliest = new(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>An instant later than any response can have.</summary>
    private static readonly DateTime Latest = new(9999, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Returns the command. Its columns are the group values, the bucket index when bucketed, then the counts and
    /// (when weighted) the weight sums, as in the raw command.
    /// </summary>
    public static NpgsqlBatchCommand Build(CountQuery query)
    {
        var intervals = query.Bucketing is { } bucketing
            ? bucketing.Buckets.Select(b => (b.StartUtc, b.EndUtc)).ToList()
            : [(query.From ?? Earliest, query.To ?? Latest)];
        var pieces = RollupPieces.Split(intervals);

        var command = new NpgsqlBatchCommand();
        var parameters = command.Parameters;
        parameters.AddWithValue("ds", NpgsqlDbType.Array | NpgsqlDbType.Date, pieces.Days.Select(p => p.Start).ToArray());
        parameters.AddWithValue("de", NpgsqlDbType.Array | NpgsqlDbType.Date, pieces.Days.Select(p => p.End).ToArray());
        parameters.AddWithValue("db", NpgsqlDbType.Array | NpgsqlDbType.Integer, pieces.Days.Select(p => p.Bucket).ToArray());
        parameters.AddWithValue("hs", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, pieces.Hours.Select(p => p.Start).ToArray());
        parameters.AddWithValue("he", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, pieces.Hours.Select(p => p.End).ToArray());
        parameters.AddWithValue("hb", NpgsqlDbType.Array | NpgsqlDbType.Integer, pieces.Hours.Select(p => p.Bucket).ToArray());
        parameters.AddWithValue("hsign", NpgsqlDbType.Array | NpgsqlDbType.Integer, pieces.Hours.Select(p => p.Sign).ToArray());
        parameters.AddWithValue("rs", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, pieces.Raw.Select(p => p.Start).ToArray());
        parameters.AddWithValue("re", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, pieces.Raw.Select(p => p.End).ToArray());
        parameters.AddWithValue("rb", NpgsqlDbType.Array | NpgsqlDbType.Integer, pieces.Raw.Select(p => p.Bucket).ToArray());

        var columns = CountSql.BindGroupValues(query, parameters, "u.dims");
        var conditions = CountSql.BindFilters(query, parameters, "u.dims");
        bool bucketed = query.Bucketing is not null;
        if (bucketed)
        {
            columns.Add("u.bucket");
        }

        string select = string.Join("", columns.Select(c => c + ", ")) +
            "sum(u.promoters)::bigint, sum(u.passives)::bigint, sum(u.detractors)::bigint" +
            (query.Weighted
                ? ", sum(u.promoter_weight), sum(u.passive_weight), sum(u.detractor_weight), sum(u.weight_squares)"
                : "");
        string where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);

        // Subtracted hours can cancel a group out entirely; the raw rows would not have that group at all.
        string having = columns.Count == 0 ? "" : " HAVING sum(u.promoters) + sum(u.passives) + sum(u.detractors) <> 0";

        command.CommandText =
            $"""
            SELECT {select}
            FROM (
                SELECT p.bucket, x.dims, x.promoters, x.passives, x.detractors,
                       x.promoter_weight, x.passive_weight, x.detractor_weight, x.weight_squares
                FROM unnest(@ds, @de, @db) AS p(s, e, bucket)
                JOIN response_rollup_daily x ON x.survey_id = ANY(@surveys) AND x.day >= p.s AND x.day < p.e
                UNION ALL
                SELECT p.bucket, x.dims, p.sign * x.promoters, p.sign * x.passives, p.sign * x.detractors,
                       p.sign * x.promoter_weight, p.sign * x.passive_weight, p.sign * x.detractor_weight,
                       p.sign * x.weight_squares
                FROM unnest(@hs, @he, @hb, @hsign) AS p(s, e, bucket, sign)
                JOIN response_rollup_hourly x ON x.survey_id = ANY(@surveys) AND x.hour >= p.s AND x.hour < p.e
                UNION ALL
                SELECT p.bucket, r.attributes,
                       (r.score >= 9)::int, (r.score BETWEEN 7 AND 8)::int, (r.score <= 6)::int,
                       CASE WHEN r.score >= 9 THEN coalesce(r.weight, 1) ELSE 0 END,
                       CASE WHEN r.score BETWEEN 7 AND 8 THEN coalesce(r.weight, 1) ELSE 0 END,
                       CASE WHEN r.score <= 6 THEN coalesce(r.weight, 1) ELSE 0 END,
                       coalesce(r.weight, 1) * coalesce(r.weight, 1)
                FROM unnest(@rs, @re, @rb) AS p(s, e, bucket)
                JOIN responses r ON r.survey_id = ANY(@surveys) AND r.responded_at >= p.s AND r.responded_at < p.e
            ) u{where}{CountSql.GroupBy(columns.Count)}{having}{CountSql.OrderBy(columns.Count)}
            """;
        return command;
    }
}

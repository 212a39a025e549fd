using System.Text;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Storage.Rollups;

namespace NpsGrpc.Storage.Queries;

/// <summary>
/// Builds the count of a <see cref="CountQuery"/> from the monthly, daily and hourly rollups plus the raw rows of
/// sub-hour edges. A query without attribute conditions or groups reads the survey totals; otherwise it reads the
/// rollups kept by attribute values, which is only valid when every filter and grouping attribute is a response
/// attribute kept in the rollups.
/// </summary>
internal static class RollupCountCommand
{
    /// <summary>Earliest instant any response can have; the validator rejects older ones.</summary>
    private static readonly DateTime Earliest = new(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>An instant later than any response can have; queries accept no later instant.</summary>
    private static readonly DateTime Latest = new(3000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private const string RollupCounts =
        "x.promoters, x.passives, x.detractors, x.promoter_weight, x.passive_weight, x.detractor_weight, x.weight_squares";

    private const string SignedRollupCounts =
        "p.sign * x.promoters, p.sign * x.passives, p.sign * x.detractors, p.sign * x.promoter_weight, " +
        "p.sign * x.passive_weight, p.sign * x.detractor_weight, p.sign * x.weight_squares";

    private const string RawCounts =
        """
        (r.score >= 9)::int, (r.score BETWEEN 7 AND 8)::int, (r.score <= 6)::int,
        CASE WHEN r.score >= 9 THEN coalesce(r.weight, 1) ELSE 0 END,
        CASE WHEN r.score BETWEEN 7 AND 8 THEN coalesce(r.weight, 1) ELSE 0 END,
        CASE WHEN r.score <= 6 THEN coalesce(r.weight, 1) ELSE 0 END,
        coalesce(r.weight, 1) * coalesce(r.weight, 1)
        """;

    /// <summary>
    /// Returns the command. Its columns are the group values, the bucket index when bucketed, then the counts and
    /// (when weighted) the weight sums, as in the raw command.
    /// </summary>
    public static NpgsqlBatchCommand Build(CountQuery query)
    {
        var intervals = query.Bucketing is { } bucketing
            ? bucketing.Buckets.Select(b => (b.StartUtc, b.EndUtc)).ToList()
            : [(query.From ?? Earliest, query.To ?? Latest)];
        var pieces = RollupPieces.Split(intervals, allowSubtraction: !query.Weighted);
        bool byDims = query.Filters.Count > 0 || query.GroupBy.Count > 0;

        var command = new NpgsqlBatchCommand();
        var parameters = command.Parameters;
        var branches = new List<string>();

        // Only periods that occur get a branch: an empty branch still costs planning, and its row estimates can push
        // the whole statement over PostgreSQL's JIT thresholds.
        if (pieces.Months.Count > 0)
        {
            AddRanges(parameters, "m", pieces.Months.Select(p => (object)p.Start), pieces.Months.Select(p => (object)p.End),
                NpgsqlDbType.Date, pieces.Months.Select(p => p.Bucket));
            branches.Add(RollupBranch(RollupLevel.Of(RollupPeriod.Month, byDims), "m", signed: false));
        }

        if (pieces.Days.Count > 0)
        {
            AddRanges(parameters, "d", pieces.Days.Select(p => (object)p.Start), pieces.Days.Select(p => (object)p.End),
                NpgsqlDbType.Date, pieces.Days.Select(p => p.Bucket));
            branches.Add(RollupBranch(RollupLevel.Of(RollupPeriod.Day, byDims), "d", signed: false));
        }

        if (pieces.Hours.Count > 0)
        {
            AddRanges(parameters, "h", pieces.Hours.Select(p => (object)p.Start), pieces.Hours.Select(p => (object)p.End),
                NpgsqlDbType.TimestampTz, pieces.Hours.Select(p => p.Bucket));
            parameters.AddWithValue("h_sign", NpgsqlDbType.Array | NpgsqlDbType.Integer, pieces.Hours.Select(p => p.Sign).ToArray());
            branches.Add(RollupBranch(RollupLevel.Of(RollupPeriod.Hour, byDims), "h", signed: true));
        }

        if (pieces.Raw.Count > 0)
        {
            AddRanges(parameters, "r", pieces.Raw.Select(p => (object)p.Start), pieces.Raw.Select(p => (object)p.End),
                NpgsqlDbType.TimestampTz, pieces.Raw.Select(p => p.Bucket));
            branches.Add(
                $"""
                SELECT p.bucket, r.attributes AS dims, {RawCounts}
                FROM unnest(@r_start, @r_end, @r_bucket) AS p(s, e, bucket)
                JOIN responses r ON r.survey_id = ANY(@surveys) AND r.responded_at >= p.s AND r.responded_at < p.e
                """);
        }

        var columns = CountSql.BindGroupValues(query, parameters, "u.dims");
        var conditions = CountSql.BindFilters(query, parameters, "u.dims");
        if (query.Bucketing is not null)
        {
            columns.Add("u.bucket");
        }

        var select = new StringBuilder();
        select.Append(string.Join("", columns.Select(c => c + ", ")));
        select.Append("sum(u.promoters)::bigint, sum(u.passives)::bigint, sum(u.detractors)::bigint");
        if (query.Weighted)
        {
            select.Append(", sum(u.promoter_weight), sum(u.passive_weight), sum(u.detractor_weight), sum(u.weight_squares)");
        }

        string where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);

        // Subtracted hours can cancel a group out entirely; the raw rows would not have that group at all.
        string having = columns.Count == 0 ? "" : " HAVING sum(u.promoters) + sum(u.passives) + sum(u.detractors) <> 0";

        // A range entirely before the earliest or after the latest possible response has no pieces at all.
        if (branches.Count == 0)
        {
            branches.Add("SELECT 0, NULL::jsonb, 0, 0, 0, 0.0::float8, 0.0::float8, 0.0::float8, 0.0::float8 WHERE false");
        }

        command.CommandText =
            $"SELECT {select} FROM ({string.Join(" UNION ALL ", branches)}) AS u (bucket, dims, promoters, passives, " +
            "detractors, promoter_weight, passive_weight, detractor_weight, weight_squares)" +
            $"{where}{CountSql.GroupBy(columns.Count)}{having}{CountSql.OrderBy(columns.Count)}";
        return command;
    }

    private static void AddRanges(
        NpgsqlParameterCollection parameters,
        string prefix,
        IEnumerable<object> starts,
        IEnumerable<object> ends,
        NpgsqlDbType type,
        IEnumerable<int> buckets)
    {
        object[] startValues = starts.ToArray();
        object[] endValues = ends.ToArray();
        parameters.AddWithValue($"{prefix}_start", NpgsqlDbType.Array | type, Typed(startValues, type));
        parameters.AddWithValue($"{prefix}_end", NpgsqlDbType.Array | type, Typed(endValues, type));
        parameters.AddWithValue($"{prefix}_bucket", NpgsqlDbType.Array | NpgsqlDbType.Integer, buckets.ToArray());
    }

    private static Array Typed(object[] values, NpgsqlDbType type) => type == NpgsqlDbType.Date
        ? values.Cast<DateOnly>().ToArray()
        : values.Cast<DateTime>().ToArray();

    private static string RollupBranch(RollupLevel level, string prefix, bool signed)
    {
        string dims = level.HasDims ? "x.dims" : "NULL::jsonb";
        string counts = signed ? SignedRollupCounts : RollupCounts;
        string unnest = signed
            ? $"unnest(@{prefix}_start, @{prefix}_end, @{prefix}_bucket, @{prefix}_sign) AS p(s, e, bucket, sign)"
            : $"unnest(@{prefix}_start, @{prefix}_end, @{prefix}_bucket) AS p(s, e, bucket)";
        return
            $"""
            SELECT p.bucket, {dims}, {counts}
            FROM {unnest}
            JOIN {level.Table} x ON x.survey_id = ANY(@surveys) AND x.{level.PeriodColumn} >= p.s AND x.{level.PeriodColumn} < p.e
            """;
    }
}

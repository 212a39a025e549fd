using System.Buffers;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Domain.Validation;

namespace NpsGrpc.Storage.Ingest;

/// <summary>
/// Adds the counts of a batch of newly inserted responses to the hourly and daily rollups. The counts are summed in
/// .NET, so PostgreSQL upserts one row per hour (or day) and combination of rollup attribute values, in a fixed order
/// so that concurrent batches lock rollup rows alike.
/// </summary>
internal static class RollupDelta
{
    private const string UpsertColumns =
        """
        ON CONFLICT ON CONSTRAINT {0} DO UPDATE SET
            promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives,
            detractors = t.detractors + excluded.detractors, promoter_weight = t.promoter_weight + excluded.promoter_weight,
            passive_weight = t.passive_weight + excluded.passive_weight,
            detractor_weight = t.detractor_weight + excluded.detractor_weight,
            weight_squares = t.weight_squares + excluded.weight_squares
        """;

    private const string Unnest =
        "unnest(@periods, @dims, @promoters, @passives, @detractors, @promoter_weight, @passive_weight, @detractor_weight, @squares)";

    private static readonly string HourlySql =
        $"INSERT INTO response_rollup_hourly AS t SELECT @survey_id, u.* FROM {Unnest} AS u " +
        string.Format(System.Globalization.CultureInfo.InvariantCulture, UpsertColumns, "response_rollup_hourly_pkey");

    private static readonly string DailySql =
        $"INSERT INTO response_rollup_daily AS t SELECT @survey_id, u.* FROM {Unnest} AS u " +
        string.Format(System.Globalization.CultureInfo.InvariantCulture, UpsertColumns, "response_rollup_daily_pkey");

    private sealed class Sums
    {
        public long Promoters, Passives, Detractors;
        public double PromoterWeight, PassiveWeight, DetractorWeight, Squares;

        public void Add(ValidatedResponse response)
        {
            double weight = response.Weight ?? 1;
            switch (ScoreCategories.Categorize(response.Score))
            {
                case ScoreCategory.Promoter:
                    Promoters++;
                    PromoterWeight += weight;
                    break;
                case ScoreCategory.Passive:
                    Passives++;
                    PassiveWeight += weight;
                    break;
                default:
                    Detractors++;
                    DetractorWeight += weight;
                    break;
            }

            Squares += weight * weight;
        }
    }

    /// <summary>Upserts the rollup counts of <paramref name="responses"/>, all of which were just inserted.</summary>
    public static async Task ApplyAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string surveyId,
        IReadOnlyList<ValidatedResponse> responses,
        string[] rollupKeys,
        CancellationToken cancellationToken)
    {
        var hourly = new SortedDictionary<(DateTime Hour, string Dims), Sums>();
        var daily = new SortedDictionary<(DateOnly Day, string Dims), Sums>();
        var buffer = new ArrayBufferWriter<byte>(128);
        foreach (var response in responses)
        {
            string dims = DimsJson(response.Attributes, rollupKeys, buffer);
            var hour = new DateTime(response.RespondedAt.Ticks - response.RespondedAt.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
            GetOrAdd(hourly, (hour, dims)).Add(response);
            GetOrAdd(daily, (DateOnly.FromDateTime(hour), dims)).Add(response);
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Command(HourlySql, surveyId, hourly.Keys.Select(k => (object)k.Hour).ToArray(), NpgsqlDbType.TimestampTz,
            hourly.Keys.Select(k => k.Dims), hourly.Values));
        batch.BatchCommands.Add(Command(DailySql, surveyId, daily.Keys.Select(k => (object)k.Day).ToArray(), NpgsqlDbType.Date,
            daily.Keys.Select(k => k.Dims), daily.Values));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Sums GetOrAdd<TKey>(SortedDictionary<TKey, Sums> sums, TKey key)
        where TKey : notnull
    {
        if (!sums.TryGetValue(key, out var value))
        {
            value = new Sums();
            sums.Add(key, value);
        }

        return value;
    }

    private static NpgsqlBatchCommand Command(
        string sql, string surveyId, object[] periods, NpgsqlDbType periodType, IEnumerable<string> dims, IEnumerable<Sums> sums)
    {
        var rows = sums.ToArray();
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddWithValue("survey_id", NpgsqlDbType.Text, surveyId);
        command.Parameters.AddWithValue("periods", NpgsqlDbType.Array | periodType, periodType == NpgsqlDbType.Date
            ? periods.Cast<DateOnly>().ToArray()
            : periods.Cast<DateTime>().ToArray());
        command.Parameters.AddWithValue("dims", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, dims.ToArray());
        command.Parameters.AddWithValue("promoters", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rows.Select(r => r.Promoters).ToArray());
        command.Parameters.AddWithValue("passives", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rows.Select(r => r.Passives).ToArray());
        command.Parameters.AddWithValue("detractors", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rows.Select(r => r.Detractors).ToArray());
        command.Parameters.AddWithValue("promoter_weight", NpgsqlDbType.Array | NpgsqlDbType.Double, rows.Select(r => r.PromoterWeight).ToArray());
        command.Parameters.AddWithValue("passive_weight", NpgsqlDbType.Array | NpgsqlDbType.Double, rows.Select(r => r.PassiveWeight).ToArray());
        command.Parameters.AddWithValue("detractor_weight", NpgsqlDbType.Array | NpgsqlDbType.Double, rows.Select(r => r.DetractorWeight).ToArray());
        command.Parameters.AddWithValue("squares", NpgsqlDbType.Array | NpgsqlDbType.Double, rows.Select(r => r.Squares).ToArray());
        return command;
    }

    /// <summary>Returns the JSON object of the response attributes whose keys are rollup keys; keys come sorted.</summary>
    private static string DimsJson(IReadOnlyList<KeyValuePair<string, string>> attributes, string[] rollupKeys, ArrayBufferWriter<byte> buffer)
    {
        if (rollupKeys.Length == 0 || !attributes.Any(a => rollupKeys.Contains(a.Key, StringComparer.Ordinal)))
        {
            return "{}";
        }

        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach ((string key, string value) in attributes)
            {
                if (rollupKeys.Contains(key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, value);
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

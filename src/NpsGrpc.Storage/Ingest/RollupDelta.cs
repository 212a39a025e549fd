using System.Buffers;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Storage.Rollups;

namespace NpsGrpc.Storage.Ingest;

/// <summary>
/// Adds the counts of newly inserted responses to every rollup table. The counts are summed in .NET, so PostgreSQL
/// upserts one row per period (and combination of rollup attribute values), in a fixed order so that concurrent
/// batches lock rollup rows alike.
/// </summary>
internal static class RollupDelta
{
    private const string Counts =
        "promoters, passives, detractors, promoter_weight, passive_weight, detractor_weight, weight_squares";

    private const string Additions =
        """
        promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives,
        detractors = t.detractors + excluded.detractors, promoter_weight = t.promoter_weight + excluded.promoter_weight,
        passive_weight = t.passive_weight + excluded.passive_weight,
        detractor_weight = t.detractor_weight + excluded.detractor_weight,
        weight_squares = t.weight_squares + excluded.weight_squares
        """;

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
        if (responses.Count == 0)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(128);
        string[] dims = responses.Select(r => DimsJson(r.Attributes, rollupKeys, buffer)).ToArray();

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var level in RollupLevel.All)
        {
            var sums = new SortedDictionary<(IComparable Period, string Dims), Sums>(KeyComparer.Instance);
            for (int i = 0; i < responses.Count; i++)
            {
                var key = ((IComparable)level.PeriodOf(responses[i].RespondedAt), level.HasDims ? dims[i] : string.Empty);
                if (!sums.TryGetValue(key, out var sum))
                {
                    sum = new Sums();
                    sums.Add(key, sum);
                }

                sum.Add(responses[i]);
            }

            batch.BatchCommands.Add(Command(level, surveyId, sums));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(
        RollupLevel level, string surveyId, SortedDictionary<(IComparable Period, string Dims), Sums> sums)
    {
        string dimsColumn = level.HasDims ? ", dims" : "";
        string dimsArgument = level.HasDims ? ", @dims" : "";
        var command = new NpgsqlBatchCommand(
            $"INSERT INTO {level.Table} AS t (survey_id, {level.PeriodColumn}{dimsColumn}, {Counts}) " +
            $"SELECT @survey_id, u.* FROM unnest(@periods{dimsArgument}, @promoters, @passives, @detractors, " +
            "@promoter_weight, @passive_weight, @detractor_weight, @squares) AS u " +
            $"ON CONFLICT (survey_id, {level.PeriodColumn}{dimsColumn}) DO UPDATE SET {Additions}");

        var rows = sums.Values.ToArray();
        var parameters = command.Parameters;
        parameters.AddWithValue("survey_id", NpgsqlDbType.Text, surveyId);
        if (level.Period == RollupPeriod.Hour)
        {
            parameters.AddWithValue("periods", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, sums.Keys.Select(k => (DateTime)k.Period).ToArray());
        }
        else
        {
            parameters.AddWithValue("periods", NpgsqlDbType.Array | NpgsqlDbType.Date, sums.Keys.Select(k => (DateOnly)k.Period).ToArray());
        }

        if (level.HasDims)
        {
            parameters.AddWithValue("dims", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, sums.Keys.Select(k => k.Dims).ToArray());
        }

        parameters.AddWithValue("promoters", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rows.Select(r => r.Promoters).ToArray());
        parameters.AddWithValue("passives", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rows.Select(r => r.Passives).ToArray());
        parameters.AddWithValue("detractors", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rows.Select(r => r.Detractors).ToArray());
        parameters.AddWithValue("promoter_weight", NpgsqlDbType.Array | NpgsqlDbType.Double, rows.Select(r => r.PromoterWeight).ToArray());
        parameters.AddWithValue("passive_weight", NpgsqlDbType.Array | NpgsqlDbType.Double, rows.Select(r => r.PassiveWeight).ToArray());
        parameters.AddWithValue("detractor_weight", NpgsqlDbType.Array | NpgsqlDbType.Double, rows.Select(r => r.DetractorWeight).ToArray());
        parameters.AddWithValue("squares", NpgsqlDbType.Array | NpgsqlDbType.Double, rows.Select(r => r.Squares).ToArray());
        return command;
    }

    /// <summary>Returns the JSON object of the response attributes whose keys are rollup keys; keys come sorted.</summary>
    /// <remarks>
    /// NOTE: dims is part of the rollup primary keys, whose btree entries PostgreSQL limits to about 2700 bytes.
    /// Several rollup keys with long, incompressible values (256 characters each) can exceed it and fail the batch.
    /// </remarks>
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

    /// <summary>Orders keys by period, then by dims text in ordinal order.</summary>
    private sealed class KeyComparer : IComparer<(IComparable Period, string Dims)>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare((IComparable Period, string Dims) x, (IComparable Period, string Dims) y)
        {
            int byPeriod = x.Period.CompareTo(y.Period);
            return byPeriod != 0 ? byPeriod : string.CompareOrdinal(x.Dims, y.Dims);
        }
    }
}

using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Exports.Runs;

/// <summary>Adds up the daily counts of the rows a run writes, per local date, survey and segment values.</summary>
public sealed class DailyAccumulator
{
    private readonly Dictionary<Key, Sums> _sums = [];

    /// <summary>Dates that received at least one row.</summary>
    public IEnumerable<DateOnly> Dates => _sums.Keys.Select(k => k.Date).Distinct();

    /// <summary>Adds one response. <paramref name="segment"/> is copied when it starts a new group, so callers may reuse it.</summary>
    public void Add(DateOnly date, string surveyId, string?[] segment, int score, double weight) =>
        Group(date, surveyId, segment).Add(score, weight);

    /// <summary>
    /// The sums of a date, survey and segment values, to add responses to. Callers may keep it for the same values.
    /// <paramref name="segment"/> is copied when it starts a new group, so callers may reuse it.
    /// </summary>
    public Sums Group(DateOnly date, string surveyId, string?[] segment)
    {
        if (!_sums.TryGetValue(new Key(date, surveyId, new Segment(segment)), out var sums))
        {
            sums = new Sums();
            _sums[new Key(date, surveyId, new Segment((string?[])segment.Clone()))] = sums;
        }

        return sums;
    }

    /// <summary>The sums as daily count rows.</summary>
    public IReadOnlyList<DailyCounts> ToCounts() => _sums
        .Select(pair => new DailyCounts(
            pair.Key.Date, pair.Key.SurveyId, pair.Key.Segment.Values, pair.Value.Responses, pair.Value.Promoters,
            pair.Value.Passives, pair.Value.Detractors, pair.Value.WeightSum, pair.Value.PromoterWeight,
            pair.Value.DetractorWeight, pair.Value.WeightSquareSum))
        .ToList();

    /// <summary>
    /// Adds <paramref name="delta"/> to <paramref name="stored"/> for the same date, survey and segment, keeping rows
    /// present in either.
    /// </summary>
    public static IReadOnlyList<DailyCounts> Merge(IEnumerable<DailyCounts> stored, IEnumerable<DailyCounts> delta)
    {
        var merged = new Dictionary<Key, DailyCounts>();
        foreach (var row in stored.Concat(delta))
        {
            var key = new Key(row.Date, row.SurveyId, new Segment(row.Segment));
            merged[key] = merged.TryGetValue(key, out var existing)
                ? existing with
                {
                    Responses = existing.Responses + row.Responses,
                    Promoters = existing.Promoters + row.Promoters,
                    Passives = existing.Passives + row.Passives,
                    Detractors = existing.Detractors + row.Detractors,
                    WeightSum = existing.WeightSum + row.WeightSum,
                    PromoterWeight = existing.PromoterWeight + row.PromoterWeight,
                    DetractorWeight = existing.DetractorWeight + row.DetractorWeight,
                    WeightSquareSum = existing.WeightSquareSum + row.WeightSquareSum,
                }
                : row;
        }

        return merged.Values.ToList();
    }

    private readonly record struct Key(DateOnly Date, string SurveyId, Segment Segment);

    private readonly struct Segment(string?[] values) : IEquatable<Segment>
    {
        public string?[] Values { get; } = values;

        public bool Equals(Segment other) => Values.AsSpan().SequenceEqual(other.Values);

        public override bool Equals(object? obj) => obj is Segment other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (string? value in Values)
            {
                hash.Add(value, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>Running counts and weights of one group.</summary>
    public sealed class Sums
    {
        internal long Responses;
        internal long Promoters;
        internal long Passives;
        internal long Detractors;
        internal double WeightSum;
        internal double PromoterWeight;
        internal double DetractorWeight;
        internal double WeightSquareSum;

        /// <summary>Adds one response with <paramref name="score"/> and <paramref name="weight"/>.</summary>
        public void Add(int score, double weight)
        {
            Responses++;
            WeightSum += weight;
            WeightSquareSum += weight * weight;
            if (score >= 9)
            {
                Promoters++;
                PromoterWeight += weight;
            }
            else if (score >= 7)
            {
                Passives++;
            }
            else
            {
                Detractors++;
                DetractorWeight += weight;
            }
        }
    }
}

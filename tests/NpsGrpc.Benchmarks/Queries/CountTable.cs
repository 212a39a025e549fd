namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Promoter, passive and detractor counts of one group or time bucket.</summary>
public readonly record struct CategoryCounts(long Promoters, long Passives, long Detractors)
{
    /// <summary>Number of responses.</summary>
    public long Total => Promoters + Passives + Detractors;

    /// <summary>NPS from -100 to 100, or NaN for no responses.</summary>
    public double Nps => Total == 0 ? double.NaN : 100.0 * (Promoters - Detractors) / Total;

    /// <summary>Adds two sets of counts.</summary>
    public static CategoryCounts operator +(CategoryCounts left, CategoryCounts right) => new(
        left.Promoters + right.Promoters, left.Passives + right.Passives, left.Detractors + right.Detractors);

    /// <inheritdoc />
    public override string ToString() => $"{Promoters}/{Passives}/{Detractors}";
}

/// <summary>
/// A query result reduced to its counts, keyed by group ("overall", "region=uk, plan=free") or by the first local
/// date of a time bucket, so that results from the rollups, the raw rows and DuckDB can be compared exactly.
/// </summary>
public sealed class CountTable
{
    /// <summary>Key of the figures over all responses of a result.</summary>
    public const string OverallKey = "overall";

    private readonly SortedDictionary<string, CategoryCounts> _rows = new(StringComparer.Ordinal);

    /// <summary>Number of keys.</summary>
    public int Count => _rows.Count;

    /// <summary>Counts of the key, or null when the result has no such key.</summary>
    public CategoryCounts? this[string key] => _rows.TryGetValue(key, out var counts) ? counts : null;

    /// <summary>Adds the counts of a key that is not in the table yet.</summary>
    public void Add(string key, CategoryCounts counts)
    {
        if (!_rows.TryAdd(key, counts))
        {
            throw new BenchmarkException($"The query result has the key '{key}' twice.");
        }
    }

    /// <summary>Sum of the counts of all keys.</summary>
    public CategoryCounts Sum() => _rows.Values.Aggregate(default(CategoryCounts), (sum, next) => sum + next);

    /// <summary>
    /// Lists the keys whose counts differ from <paramref name="other"/>'s, or that only one of the tables has, as
    /// "key: this vs other" with counts as promoters/passives/detractors.
    /// </summary>
    public IReadOnlyList<string> Differences(CountTable other)
    {
        var differences = new List<string>();
        foreach (string key in _rows.Keys.Union(other._rows.Keys).Order(StringComparer.Ordinal))
        {
            var mine = this[key];
            var theirs = other[key];
            if (mine != theirs)
            {
                differences.Add($"{key}: {mine?.ToString() ?? "missing"} vs {theirs?.ToString() ?? "missing"}");
            }
        }

        return differences;
    }
}

namespace NpsGrpc.Storage.Rollups;

/// <summary>Rollup settings, bound from the "Rollups" configuration section. Every instance on one database must agree.</summary>
public sealed class RollupOptions
{
    /// <summary>
    /// Response attribute keys kept in the rollups, so segment queries on them can be answered from the rollups.
    /// Keep them few and of low cardinality: the rollups hold one row per hour and combination of their values.
    /// Default none: the rollups then answer overall figures and trends only.
    /// </summary>
    public string[] AttributeKeys { get; set; } = [];

    /// <summary>Whether queries may read the rollups. Default true; false forces every query onto the raw rows.</summary>
    public bool UseForQueries { get; set; } = true;

    /// <summary>The keys, distinct and sorted, as stored in the database.</summary>
    public string[] NormalizedKeys => AttributeKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}

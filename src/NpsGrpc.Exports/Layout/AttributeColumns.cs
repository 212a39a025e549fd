namespace NpsGrpc.Exports.Layout;

/// <summary>An attribute key and the column that contains its values.</summary>
/// <param name="AttributeKey">The key as stored.</param>
/// <param name="ColumnName">The column name in the Parquet files.</param>
public sealed record AttributeColumn(string AttributeKey, string ColumnName);

/// <summary>
/// Maps attribute keys to column names: <c>attr_</c> plus the key in lowercase, since Power BI, DuckDB and Spark compare
/// column names without regard to case. A key that collides with an earlier column gets the first free numeric suffix.
/// Columns keep their order; new keys are appended.
/// </summary>
public static class AttributeColumns
{
    /// <summary>Prefix of every attribute column.</summary>
    public const string Prefix = "attr_";

    /// <summary>
    /// Returns <paramref name="existing"/> followed by a column for each key of <paramref name="keys"/> it lacks, in
    /// ordinal key order.
    /// </summary>
    public static IReadOnlyList<AttributeColumn> Extend(IReadOnlyList<AttributeColumn> existing, IEnumerable<string> keys)
    {
        var known = existing.Select(c => c.AttributeKey).ToHashSet(StringComparer.Ordinal);
        var usedNames = existing.Select(c => c.ColumnName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var result = existing.ToList();
        foreach (string key in keys.Where(k => !known.Contains(k)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            string baseName = Prefix + key.ToLowerInvariant();
            string name = baseName;
            for (int suffix = 2; usedNames.Contains(name); suffix++)
            {
                name = $"{baseName}_{suffix}";
            }

            usedNames.Add(name);
            result.Add(new AttributeColumn(key, name));
        }

        return result;
    }
}

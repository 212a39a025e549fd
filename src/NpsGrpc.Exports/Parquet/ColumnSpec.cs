namespace NpsGrpc.Exports.Parquet;

/// <summary>Physical kinds of the exported columns.</summary>
public enum ColumnKind
{
    /// <summary>UTF-8 string.</summary>
    Text,

    /// <summary>Signed 32-bit integer.</summary>
    Int32,

    /// <summary>Signed 64-bit integer.</summary>
    Int64,

    /// <summary>IEEE double.</summary>
    Double,

    /// <summary>Boolean.</summary>
    Boolean,

    /// <summary>DATE: INT32 days since 1970-01-01.</summary>
    Date,

    /// <summary>TIMESTAMP(MICROS, isAdjustedToUTC = true) as INT64.</summary>
    Timestamp,
}

/// <summary>A column of an exported table.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Kind">Physical kind.</param>
/// <param name="Nullable">Whether the column may hold nulls. Only text and timestamp columns may.</param>
/// <param name="Dictionary">Whether to ask for dictionary encoding, for text with few distinct values.</param>
public sealed record ColumnSpec(string Name, ColumnKind Kind, bool Nullable = false, bool Dictionary = false);

namespace NpsGrpc.Cli.Csv;

/// <summary>One data record of a CSV file.</summary>
/// <param name="LineNumber">
/// 1-based physical line where the record starts, counting the header, empty lines and the lines inside quoted
/// fields.
/// </param>
/// <param name="Cells">The field values, unquoted. A cell past the end of a short record reads as "".</param>
/// <param name="Malformation">Why the quoting of the record is broken, or null when the record is well formed.</param>
internal sealed record CsvRow(long LineNumber, CsvCells Cells, string? Malformation);

/// <summary>The field values of one record.</summary>
internal sealed class CsvCells(string[] values)
{
    /// <summary>Number of fields in the record.</summary>
    public int Count => values.Length;

    /// <summary>Returns the value of column <paramref name="index"/>, or "" when the record is shorter.</summary>
    public string this[int index] => index < values.Length ? values[index] : "";

    /// <summary>All values, in column order.</summary>
    public IReadOnlyList<string> All => values;
}

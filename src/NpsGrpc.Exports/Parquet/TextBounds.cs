using System.Text;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// The smallest and largest value of a text column chunk, as UTF-8 bytes in unsigned byte order, the order that
/// Parquet defines for strings. Both are null for a chunk of nulls only.
/// </summary>
/// <param name="RowGroup">Index of the row group in its file.</param>
/// <param name="Column">Index of the column in the schema.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
internal sealed record TextBounds(int RowGroup, int Column, byte[]? Min, byte[]? Max)
{
    // Distinct string slices remembered per chunk, so a value repeated from a cache is compared once.
    private const int RememberedStrings = 16;

    /// <summary>Computes the bounds of UTF-8 values.</summary>
    public static TextBounds Of(int rowGroup, int column, ReadOnlySpan<ReadOnlyMemory<byte>> values)
    {
        if (values.IsEmpty)
        {
            return new TextBounds(rowGroup, column, null, null);
        }

        var min = values[0];
        var max = min;
        for (int i = 1; i < values.Length; i++)
        {
            Widen(values[i], ref min, ref max);
        }

        return new TextBounds(rowGroup, column, min.ToArray(), max.ToArray());
    }

    /// <summary>Computes the bounds of UTF-8 values, skipping nulls.</summary>
    public static TextBounds Of(int rowGroup, int column, ReadOnlySpan<ReadOnlyMemory<byte>?> values)
    {
        ReadOnlyMemory<byte>? min = null, max = null;
        foreach (var value in values)
        {
            if (value is not { } text)
            {
                continue;
            }

            if (min is { } low && max is { } high)
            {
                Widen(text, ref low, ref high);
                (min, max) = (low, high);
            }
            else
            {
                (min, max) = (text, text);
            }
        }

        return new TextBounds(rowGroup, column, min?.ToArray(), max?.ToArray());
    }

    /// <summary>
    /// Computes the bounds of strings in Unicode code point order, which is the order of their UTF-8 bytes, and
    /// returns them in UTF-8. Ordinal string comparison orders UTF-16 code units instead, which puts characters
    /// above U+FFFF before those from U+E000 to U+FFFF.
    /// </summary>
    public static TextBounds Of(int rowGroup, int column, ReadOnlySpan<ReadOnlyMemory<char>?> values)
    {
        var remembered = new List<ReadOnlyMemory<char>>(RememberedStrings);
        ReadOnlyMemory<char>? min = null, max = null;
        foreach (var value in values)
        {
            if (value is not { } text || Remembered(remembered, text))
            {
                continue;
            }

            if (min is null || CompareCodePoints(text.Span, min.Value.Span) < 0)
            {
                min = text;
            }

            if (max is null || CompareCodePoints(text.Span, max.Value.Span) > 0)
            {
                max = text;
            }

            if (remembered.Count < RememberedStrings)
            {
                remembered.Add(text);
            }
        }

        return new TextBounds(rowGroup, column, Utf8(min), Utf8(max));
    }

    /// <summary>Computes the bounds of strings in code point order, as the overload for nullable values does.</summary>
    public static TextBounds Of(int rowGroup, int column, ReadOnlySpan<ReadOnlyMemory<char>> values)
    {
        var remembered = new List<ReadOnlyMemory<char>>(RememberedStrings);
        ReadOnlyMemory<char>? min = null, max = null;
        foreach (var text in values)
        {
            if (Remembered(remembered, text))
            {
                continue;
            }

            if (min is null || CompareCodePoints(text.Span, min.Value.Span) < 0)
            {
                min = text;
            }

            if (max is null || CompareCodePoints(text.Span, max.Value.Span) > 0)
            {
                max = text;
            }

            if (remembered.Count < RememberedStrings)
            {
                remembered.Add(text);
            }
        }

        return new TextBounds(rowGroup, column, Utf8(min), Utf8(max));
    }

    /// <summary>Compares two UTF-16 strings by the code points they encode.</summary>
    public static int CompareCodePoints(ReadOnlySpan<char> first, ReadOnlySpan<char> second)
    {
        int common = first.CommonPrefixLength(second);
        if (common == first.Length || common == second.Length)
        {
            return first.Length.CompareTo(second.Length);
        }

        return CodePointRank(first[common]).CompareTo(CodePointRank(second[common]));
    }

    // Moves surrogates, which start the code points above U+FFFF, after U+E000 to U+FFFF. Two strings first differ
    // either in two surrogates, which keep their order, or in characters whose rank orders their code points.
    private static int CodePointRank(char c)
    {
        if (c >= '\uE000')
        {
            return c - 0x800;
        }

        if (c >= '\uD800')
        {
            return c + 0x2000;
        }

        return c;
    }

    // Whether the slice is one already compared. ReadOnlyMemory equality compares the underlying string and range,
    // not the text, so a cached string is recognised in a few instructions.
    private static bool Remembered(List<ReadOnlyMemory<char>> remembered, ReadOnlyMemory<char> text)
    {
        foreach (var seen in remembered)
        {
            if (seen.Equals(text))
            {
                return true;
            }
        }

        return false;
    }

    private static void Widen(ReadOnlyMemory<byte> value, ref ReadOnlyMemory<byte> min, ref ReadOnlyMemory<byte> max)
    {
        var span = value.Span;
        if (span.SequenceCompareTo(min.Span) < 0)
        {
            min = value;
        }
        else if (span.SequenceCompareTo(max.Span) > 0)
        {
            max = value;
        }
    }

    private static byte[]? Utf8(ReadOnlyMemory<char>? text) => text is { } value ? Encoding.UTF8.GetBytes(value.ToString()) : null;
}

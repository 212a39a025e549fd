using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// The smallest and largest value of a text column chunk, as UTF-8 bytes in unsigned byte order, the order that
/// Parquet defines for strings. Add the present values one by one. Both bounds stay null for a chunk of nulls only.
/// </summary>
internal struct TextBounds
{
    // Strings remembered per chunk, by identity, so a value repeated from a cache is compared about once. A power of 2.
    private const int RememberedStrings = 16;

    private Bound _low;
    private Bound _high;
    private bool _any;

    /// <summary>The smallest value added, or null if none was.</summary>
    public readonly byte[]? Min => _any ? _low.Value.ToArray() : null;

    /// <summary>The largest value added, or null if none was.</summary>
    public readonly byte[]? Max => _any ? _high.Value.ToArray() : null;

    /// <summary>Widens the bounds to include <paramref name="value"/>, which the caller keeps unchanged until the bounds are read.</summary>
    public void Add(ReadOnlyMemory<byte> value)
    {
        if (_any)
        {
            Widen(value, ref _low, ref _high);
        }
        else
        {
            _low = _high = new Bound(value);
            _any = true;
        }
    }

    /// <summary>
    /// Computes the bounds of strings in Unicode code point order, which is the order of their UTF-8 bytes, skipping
    /// nulls. Ordinal string comparison orders UTF-16 code units instead, which puts characters above U+FFFF before
    /// those from U+E000 to U+FFFF.
    /// </summary>
    public static TextBounds Of(ReadOnlySpan<string?> values)
    {
        var seen = new string?[RememberedStrings];
        string? min = null, max = null;
        foreach (string? value in values)
        {
            if (value is null || SeenBefore(seen, value))
            {
                continue;
            }

            if (min is null || CompareCodePoints(value, min) < 0)
            {
                min = value;
            }

            if (max is null || CompareCodePoints(value, max) > 0)
            {
                max = value;
            }
        }

        var bounds = default(TextBounds);
        if (min is not null && max is not null)
        {
            bounds._low = new Bound(Encoding.UTF8.GetBytes(min));
            bounds._high = new Bound(Encoding.UTF8.GetBytes(max));
            bounds._any = true;
        }

        return bounds;
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

    // Returns whether the string was already seen in this chunk, and records it if not. A string takes the slot of its identity
    // hash, which the runtime keeps in the object, so no text is read. A collision only costs a compare.
    private static bool SeenBefore(string?[] seen, string value)
    {
        int slot = RuntimeHelpers.GetHashCode(value) & (RememberedStrings - 1);
        if (ReferenceEquals(seen[slot], value))
        {
            return true;
        }

        seen[slot] = value;
        return false;
    }

    // A value whose first 8 bytes differ from a bound's is ordered by its prefix, without reading the bound's bytes.
    private static void Widen(ReadOnlyMemory<byte> value, ref Bound low, ref Bound high)
    {
        var span = value.Span;
        ulong prefix = Bound.PrefixOf(span);
        if (prefix <= low.Prefix && (prefix < low.Prefix || span.SequenceCompareTo(low.Value.Span) < 0))
        {
            low = new Bound(value, prefix);
        }
        else if (prefix >= high.Prefix && (prefix > high.Prefix || span.SequenceCompareTo(high.Value.Span) > 0))
        {
            high = new Bound(value, prefix);
        }
    }

    // A bound and its first 8 bytes as a big-endian number, padded with zero bytes. Two different prefixes are in the
    // order of their values. Either the values differ in one of their first 8 bytes, or the shorter value ends there
    // and is a prefix of the longer one.
    private readonly struct Bound(ReadOnlyMemory<byte> value, ulong prefix)
    {
        public Bound(ReadOnlyMemory<byte> value)
            : this(value, PrefixOf(value.Span))
        {
        }

        public ReadOnlyMemory<byte> Value { get; } = value;

        public ulong Prefix { get; } = prefix;

        public static ulong PrefixOf(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length >= sizeof(ulong))
            {
                return BinaryPrimitives.ReadUInt64BigEndian(bytes);
            }

            ulong prefix = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                prefix |= (ulong)bytes[i] << (56 - 8 * i);
            }

            return prefix;
        }
    }
}

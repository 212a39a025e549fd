using System.Buffers.Binary;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// The smallest and largest value of a text column chunk, as UTF-8 bytes in unsigned byte order, the order that
/// Parquet defines for strings. Add the present values one by one. Both bounds stay null for a chunk of nulls only.
/// </summary>
internal struct TextBounds
{
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

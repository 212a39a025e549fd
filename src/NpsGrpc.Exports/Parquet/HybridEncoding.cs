using System.Buffers;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Parquet's RLE/bit-packed hybrid encoding of small unsigned integers, used for definition levels and dictionary
/// indexes. A value repeated at least 8 times in a row becomes a run of one value. Other values are bit-packed in
/// groups of 8, least significant bit first. Only the last group of the output is padded with zeros; a reader stops
/// after the number of values its page header gives.
/// </summary>
internal static class HybridEncoding
{
    private const int GroupLength = 8;

    // Maximum groups in one bit-packed run, so that the run's header fits in one byte.
    private const int MaxGroupsPerRun = 63;

    /// <summary>Appends <paramref name="values"/>, each below 2^<paramref name="bitWidth"/>, to <paramref name="output"/>.</summary>
    public static void Write(ReadOnlySpan<int> values, int bitWidth, IBufferWriter<byte> output)
    {
        if (bitWidth is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(bitWidth), bitWidth, "The bit width must be from 1 to 32.");
        }

        int position = 0;
        while (position < values.Length)
        {
            int repeated = RepeatCount(values, position, int.MaxValue);
            if (repeated >= GroupLength)
            {
                WriteRepeated(values[position], repeated, bitWidth, output);
                position += repeated;
                continue;
            }

            // Whole groups up to the next one that starts a run. The last group may reach past the values.
            int end = position;
            do
            {
                end += GroupLength;
            }
            while (end < values.Length && end - position < MaxGroupsPerRun * GroupLength
                && RepeatCount(values, end, GroupLength) < GroupLength);

            WritePacked(values[position..Math.Min(end, values.Length)], (end - position) / GroupLength, bitWidth, output);
            position = end;
        }
    }

    /// <summary>The number of bits that the largest of <paramref name="count"/> indexes from 0 needs, at least 1.</summary>
    public static int BitWidth(int count) => Math.Max(1, 32 - int.LeadingZeroCount(Math.Max(count - 1, 0)));

    // How many values from start equal the one at start, counting no further than limit.
    private static int RepeatCount(ReadOnlySpan<int> values, int start, int limit)
    {
        int value = values[start];
        int end = start + 1;
        int stop = (int)Math.Min((long)start + limit, values.Length);
        while (end < stop && values[end] == value)
        {
            end++;
        }

        return end - start;
    }

    private static void WriteRepeated(int value, int count, int bitWidth, IBufferWriter<byte> output)
    {
        int valueBytes = (bitWidth + 7) / 8;
        var span = output.GetSpan(5 + valueBytes);
        int length = WriteVarInt((uint)count << 1, span);
        for (int i = 0; i < valueBytes; i++)
        {
            span[length++] = (byte)(value >> (8 * i));
        }

        output.Advance(length);
    }

    private static void WritePacked(ReadOnlySpan<int> values, int groups, int bitWidth, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(5 + groups * bitWidth);
        int length = WriteVarInt(((uint)groups << 1) | 1, span);
        ulong pending = 0;
        int pendingBits = 0;
        int valueCount = groups * GroupLength;
        for (int i = 0; i < valueCount; i++)
        {
            ulong value = i < values.Length ? (uint)values[i] : 0;
            pending |= value << pendingBits;
            pendingBits += bitWidth;
            while (pendingBits >= 8)
            {
                span[length++] = (byte)pending;
                pending >>= 8;
                pendingBits -= 8;
            }
        }

        output.Advance(length);
    }

    private static int WriteVarInt(uint value, Span<byte> output)
    {
        int length = 0;
        while (value >= 0x80)
        {
            output[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[length++] = (byte)value;
        return length;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using global::Parquet.Meta;
using Snappier;
using Encoding = global::Parquet.Meta.Encoding;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Encodes the column chunks of a row group as version 1 data pages, each compressed with Snappy.
/// </summary>
/// <remarks>
/// <para>
/// Values are PLAIN. A dictionary column gets a PLAIN_DICTIONARY dictionary page, and its data pages contain the
/// indexes in the RLE/bit-packed hybrid. A chunk whose distinct values are more than 80 % of its values or take more
/// than 1 MiB is PLAIN instead. Nullable columns carry definition levels in the hybrid encoding. A page contains at
/// most 20,000 rows and about 1 MiB of values. Every chunk gets its null count, and all but boolean chunks their
/// minimum and maximum: text in UTF-8 byte order, numbers by value. Text bounds longer than 4 KiB are left out:
/// every reader parses the whole footer before it reads any data, and a long comment would be copied into it.
/// </para>
/// <para>
/// The export writes its own pages because Parquet.Net's column writer cost most of the writer thread's time. It
/// hashed every value of a dictionary column into a new table, wrote plain byte arrays one stream call at a time and
/// compressed through intermediate streams. The pages use Parquet.Net's format model and Thrift encoding
/// (<see cref="ParquetThrift"/>) and Snappier, the Snappy implementation Parquet.Net uses.
/// </para>
/// <para>
/// An instance keeps its buffers between chunks and serves one writer at a time. Call <see cref="Release"/> before
/// it waits for its next use.
/// </para>
/// </remarks>
internal sealed class ColumnChunkWriter
{
    private const int PageRows = 20_000;
    private const int PageBytes = 1 << 20;
    private const int MaxDictionaryBytes = 1 << 20;
    private const double MaxDistinctShare = 0.8;
    private const int MaxTextBoundBytes = 4 * 1024;

    // Buffers above this size are dropped by Release, so a single large value does not stay in memory.
    private const int KeptBufferBytes = 4 * PageBytes;

    // Strings remembered by identity while a dictionary is built, so a value repeated from a cache is not hashed. A power of 2.
    private const int RememberedStrings = 16;

    private ArrayBufferWriter<byte> _page = new(PageBytes);
    private readonly MemoryStream _header = new(256);
    private readonly Dictionary<string, int> _dictionary = new(StringComparer.Ordinal);
    private readonly List<string> _dictionaryValues = [];
    private readonly string?[] _recentStrings = new string?[RememberedStrings];
    private readonly int[] _recentIndexes = new int[RememberedStrings];
    private readonly int[] _levels = new int[PageRows];
    private byte[] _compressed = new byte[Snappy.GetMaxCompressedLength(PageBytes)];
    private int[] _indexes = [];
    private long[] _presentLongs = [];

    static ColumnChunkWriter()
    {
        // PLAIN values are little-endian, and the writer copies numbers from memory as they are.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The Parquet writer needs a little-endian machine.");
        }
    }

    /// <summary>The physical type that stores <paramref name="column"/>.</summary>
    public static global::Parquet.Meta.Type PhysicalType(ColumnSpec column) => column.Kind switch
    {
        ColumnKind.Text => global::Parquet.Meta.Type.BYTE_ARRAY,
        ColumnKind.Int32 or ColumnKind.Date => global::Parquet.Meta.Type.INT32,
        ColumnKind.Int64 or ColumnKind.Timestamp => global::Parquet.Meta.Type.INT64,
        ColumnKind.Double => global::Parquet.Meta.Type.DOUBLE,
        ColumnKind.Boolean => global::Parquet.Meta.Type.BOOLEAN,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "Unknown column kind."),
    };

    /// <summary>
    /// Writes the first <paramref name="rows"/> values of <paramref name="values"/>, a column of a
    /// <see cref="RowBuffer"/>, to <paramref name="output"/> as one column chunk, and returns its description.
    /// </summary>
    public ColumnChunk Write(ColumnSpec column, Array values, int rows, HashedOutput output)
    {
        var chunk = new Chunk(column, rows, output.Position);
        switch (values)
        {
            case string?[] strings:
                WriteStrings(chunk, strings, rows, output);
                break;
            case ReadOnlyMemory<byte>?[] optional:
                chunk.Statistics.NullCount = rows - WriteText(chunk, new OptionalText(optional), rows, output);
                break;
            case ReadOnlyMemory<byte>[] required:
                WriteText(chunk, new RequiredText(required), rows, output);
                break;
            case int[] ints:
                WriteFixed<int>(chunk, ints.AsSpan(0, rows), output);
                SetIntegerBounds<int>(chunk.Statistics, ints.AsSpan(0, rows));
                break;
            case long[] longs:
                WriteFixed<long>(chunk, longs.AsSpan(0, rows), output);
                SetIntegerBounds<long>(chunk.Statistics, longs.AsSpan(0, rows));
                break;
            case long?[] optionalLongs:
                WriteOptionalLongs(chunk, optionalLongs.AsSpan(0, rows), output);
                break;
            case double[] doubles:
                WriteFixed<double>(chunk, doubles.AsSpan(0, rows), output);
                SetBounds(chunk.Statistics, doubles.AsSpan(0, rows));
                break;
            case bool[] booleans:
                WriteBooleans(chunk, booleans.AsSpan(0, rows), output);
                break;
            default:
                throw new InvalidOperationException($"Column {column.Name} has values of unexpected type {values.GetType()}.");
        }

        return chunk.Describe();
    }

    /// <summary>
    /// Drops the references to the last chunk's strings and the buffers that one large chunk grew, before the instance
    /// waits for its next use.
    /// </summary>
    public void Release()
    {
        _dictionary.Clear();
        _dictionary.TrimExcess(RememberedStrings);
        _dictionaryValues.Clear();
        Array.Clear(_recentStrings);
        if (_page.Capacity > KeptBufferBytes)
        {
            _page = new ArrayBufferWriter<byte>(PageBytes);
        }

        if (_compressed.Length > KeptBufferBytes)
        {
            _compressed = new byte[Snappy.GetMaxCompressedLength(PageBytes)];
        }

        if (_indexes.Length * sizeof(int) > KeptBufferBytes)
        {
            _indexes = [];
        }
    }

    private void WriteFixed<T>(Chunk chunk, ReadOnlySpan<T> values, HashedOutput output)
        where T : unmanaged
    {
        int rowsPerPage = Math.Min(PageRows, PageBytes / Unsafe.SizeOf<T>());
        int first = 0;
        do
        {
            var page = values.Slice(first, Math.Min(rowsPerPage, values.Length - first));
            _page.ResetWrittenCount();
            _page.Write(MemoryMarshal.AsBytes(page));
            WriteDataPage(chunk, page.Length, Encoding.PLAIN, output);
            first += page.Length;
        }
        while (first < values.Length);
    }

    private void WriteOptionalLongs(Chunk chunk, ReadOnlySpan<long?> values, HashedOutput output)
    {
        EnsureLength(ref _presentLongs, Math.Min(values.Length, PageRows));
        long min = long.MaxValue, max = long.MinValue;
        int nulls = 0;
        int first = 0;
        do
        {
            int end = Math.Min(first + PageRows, values.Length);
            int present = 0;
            for (int row = first; row < end; row++)
            {
                if (values[row] is { } value)
                {
                    _levels[row - first] = 1;
                    _presentLongs[present++] = value;
                    min = Math.Min(min, value);
                    max = Math.Max(max, value);
                }
                else
                {
                    _levels[row - first] = 0;
                }
            }

            nulls += end - first - present;
            _page.ResetWrittenCount();
            WriteLevels(end - first);
            _page.Write(MemoryMarshal.AsBytes(_presentLongs.AsSpan(0, present)));
            WriteDataPage(chunk, end - first, Encoding.PLAIN, output);
            first = end;
        }
        while (first < values.Length);

        chunk.Statistics.NullCount = nulls;
        if (nulls < values.Length)
        {
            SetBounds(chunk.Statistics, Bytes(min), Bytes(max));
        }
    }

    private void WriteBooleans(Chunk chunk, ReadOnlySpan<bool> values, HashedOutput output)
    {
        int first = 0;
        do
        {
            int count = Math.Min(PageRows, values.Length - first);
            _page.ResetWrittenCount();
            var bits = _page.GetSpan((count + 7) / 8);
            bits[..((count + 7) / 8)].Clear();
            for (int i = 0; i < count; i++)
            {
                if (values[first + i])
                {
                    bits[i / 8] |= (byte)(1 << (i % 8));
                }
            }

            _page.Advance((count + 7) / 8);
            WriteDataPage(chunk, count, Encoding.PLAIN, output);
            first += count;
        }
        while (first < values.Length);
    }

    // Writes text as PLAIN byte arrays, sets the chunk's bounds and returns the number of present values.
    private int WriteText<TRows>(Chunk chunk, TRows rows, int count, HashedOutput output)
        where TRows : struct, ITextRows
    {
        var bounds = default(TextBounds);
        int present = WriteTextPages(chunk, rows, 0, count, ref bounds, output);
        SetBounds(chunk.Statistics, bounds);
        return present;
    }

    // Writes the rows from first to end as pages of PLAIN byte arrays, widens the bounds by their values and returns
    // the number of present values.
    private int WriteTextPages<TRows>(Chunk chunk, TRows rows, int first, int end, ref TextBounds bounds, HashedOutput output)
        where TRows : struct, ITextRows
    {
        int totalPresent = 0;
        do
        {
            // The page ends after PageRows rows or once its values reach PageBytes.
            int pageEnd = first;
            long valueBytes = 0;
            while (pageEnd < end && pageEnd - first < PageRows && valueBytes < PageBytes)
            {
                if (rows.TryGet(pageEnd, out var value))
                {
                    valueBytes += sizeof(int) + value.Length;
                }

                pageEnd++;
            }

            _page.ResetWrittenCount();
            if (chunk.Column.Nullable)
            {
                for (int row = first; row < pageEnd; row++)
                {
                    _levels[row - first] = rows.TryGet(row, out _) ? 1 : 0;
                }

                WriteLevels(pageEnd - first);
            }

            var span = _page.GetSpan((int)valueBytes);
            int position = 0;
            for (int row = first; row < pageEnd; row++)
            {
                if (rows.TryGet(row, out var value))
                {
                    BinaryPrimitives.WriteInt32LittleEndian(span[position..], value.Length);
                    value.Span.CopyTo(span[(position + sizeof(int))..]);
                    position += sizeof(int) + value.Length;
                    bounds.Add(value);
                    totalPresent++;
                }
            }

            _page.Advance(position);
            WriteDataPage(chunk, pageEnd - first, Encoding.PLAIN, output);
            first = pageEnd;
        }
        while (first < end);

        return totalPresent;
    }

    private void WriteStrings(Chunk chunk, string?[] strings, int count, HashedOutput output)
    {
        if (!TryBuildDictionary(chunk.Column, strings, count, out int present, out long dictionaryBytes))
        {
            WritePlainStrings(chunk, strings, count, output);
            return;
        }

        // The bounds come from the encoded values, which are in the order Parquet defines for text whatever the strings
        // contain. They are read before the page buffer is reused.
        var values = CollectionsMarshal.AsSpan(_dictionaryValues);
        var bounds = default(TextBounds);
        _page.ResetWrittenCount();
        var page = _page.GetMemory((int)dictionaryBytes);
        int position = 0;
        foreach (string value in values)
        {
            int length = System.Text.Encoding.UTF8.GetBytes(value, page.Span[(position + sizeof(int))..]);
            BinaryPrimitives.WriteInt32LittleEndian(page.Span[position..], length);
            bounds.Add(page.Slice(position + sizeof(int), length));
            position += sizeof(int) + length;
        }

        _page.Advance(position);
        SetBounds(chunk.Statistics, bounds);
        chunk.Statistics.NullCount = count - present;
        WriteDictionaryPage(chunk, values.Length, output);

        int bitWidth = HybridEncoding.BitWidth(values.Length);
        int firstIndex = 0;
        int first = 0;
        do
        {
            int end = Math.Min(first + PageRows, count);
            int pagePresent = end - first;
            _page.ResetWrittenCount();
            if (chunk.Column.Nullable)
            {
                pagePresent = 0;
                for (int row = first; row < end; row++)
                {
                    int level = strings[row] is null ? 0 : 1;
                    _levels[row - first] = level;
                    pagePresent += level;
                }

                WriteLevels(end - first);
            }

            _page.GetSpan(1)[0] = (byte)bitWidth;
            _page.Advance(1);
            HybridEncoding.Write(_indexes.AsSpan(firstIndex, pagePresent), bitWidth, _page);
            WriteDataPage(chunk, end - first, Encoding.PLAIN_DICTIONARY, output);
            firstIndex += pagePresent;
            first = end;
        }
        while (first < count);
    }

    // Numbers each distinct present string in order of first appearance and records every present value's number in
    // _indexes. Returns false, for a plain chunk, when there are no present values, when the distinct values are more
    // than MaxDistinctShare of them or when the dictionary page would pass MaxDictionaryBytes. It stops at the first
    // value that passes a limit.
    private bool TryBuildDictionary(ColumnSpec column, string?[] strings, int count, out int present, out long dictionaryBytes)
    {
        _dictionary.Clear();
        _dictionaryValues.Clear();
        Array.Clear(_recentStrings);
        EnsureLength(ref _indexes, count);
        dictionaryBytes = 0;
        present = 0;
        int nulls = 0;
        for (int row = 0; row < count; row++)
        {
            string? value = strings[row];
            if (value is null)
            {
                if (!column.Nullable)
                {
                    throw new InvalidOperationException($"Row {row} of column {column.Name}, which is not nullable, has no value.");
                }

                nulls++;
                continue;
            }

            int slot = RuntimeHelpers.GetHashCode(value) & (RememberedStrings - 1);
            if (!ReferenceEquals(_recentStrings[slot], value))
            {
                if (!_dictionary.TryGetValue(value, out int number))
                {
                    number = _dictionaryValues.Count;
                    _dictionary.Add(value, number);
                    _dictionaryValues.Add(value);
                    dictionaryBytes += sizeof(int) + System.Text.Encoding.UTF8.GetByteCount(value);

                    // The present values are at most the rows that are not null so far.
                    if (number + 1 > (int)((count - nulls) * MaxDistinctShare) || dictionaryBytes > MaxDictionaryBytes)
                    {
                        return false;
                    }
                }

                _recentStrings[slot] = value;
                _recentIndexes[slot] = number;
            }

            _indexes[present++] = _recentIndexes[slot];
        }

        return present > 0 && _dictionaryValues.Count <= (int)(present * MaxDistinctShare);
    }

    // Text with too many distinct values for a dictionary. The strings are encoded to UTF-8 in batches of about a page,
    // each in an array of its own, because the bounds keep references to the encoded values.
    private void WritePlainStrings(Chunk chunk, string?[] strings, int count, HashedOutput output)
    {
        var bounds = default(TextBounds);
        int present = 0;
        var encoded = ArrayPool<ReadOnlyMemory<byte>?>.Shared.Rent(count);
        try
        {
            int first = 0;
            do
            {
                int end = first;
                long batchBytes = 0;
                while (end < count && batchBytes < PageBytes)
                {
                    batchBytes += strings[end] is { } value ? System.Text.Encoding.UTF8.GetByteCount(value) : 0;
                    end++;
                }

                var utf8 = new byte[batchBytes];
                int position = 0;
                for (int row = first; row < end; row++)
                {
                    if (strings[row] is { } value)
                    {
                        int length = System.Text.Encoding.UTF8.GetBytes(value, utf8.AsSpan(position));
                        encoded[row] = new ReadOnlyMemory<byte>(utf8, position, length);
                        position += length;
                    }
                    else
                    {
                        encoded[row] = null;
                    }
                }

                present += WriteTextPages(chunk, new OptionalText(encoded), first, end, ref bounds, output);
                first = end;
            }
            while (first < count);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<byte>?>.Shared.Return(encoded, clearArray: true);
        }

        SetBounds(chunk.Statistics, bounds);
        chunk.Statistics.NullCount = count - present;
    }

    // Appends the definition levels of a page's rows, from _levels, with their 4-byte length.
    private void WriteLevels(int rows)
    {
        _page.GetSpan(sizeof(int));
        _page.Advance(sizeof(int));
        int start = _page.WrittenCount;
        HybridEncoding.Write(_levels.AsSpan(0, rows), 1, _page);
        int length = _page.WrittenCount - start;

        // The length goes before the levels, in the bytes reserved for it.
        BinaryPrimitives.WriteInt32LittleEndian(
            MemoryMarshal.AsMemory(_page.WrittenMemory).Span.Slice(start - sizeof(int), sizeof(int)), length);
    }

    private void WriteDictionaryPage(Chunk chunk, int values, HashedOutput output)
    {
        chunk.DictionaryOffset = output.Position;
        var header = new PageHeader
        {
            Type = PageType.DICTIONARY_PAGE,
            DictionaryPageHeader = new DictionaryPageHeader { NumValues = values, Encoding = Encoding.PLAIN_DICTIONARY },
        };
        WritePage(chunk, header, output);
    }

    private void WriteDataPage(Chunk chunk, int rows, Encoding encoding, HashedOutput output)
    {
        chunk.DataOffset ??= output.Position;
        var header = new PageHeader
        {
            Type = PageType.DATA_PAGE,
            DataPageHeader = new DataPageHeader
            {
                NumValues = rows,
                Encoding = encoding,
                DefinitionLevelEncoding = Encoding.RLE,
                RepetitionLevelEncoding = Encoding.RLE,
            },
        };
        WritePage(chunk, header, output);
    }

    // Compresses the page in _page and writes it with its header.
    private void WritePage(Chunk chunk, PageHeader header, HashedOutput output)
    {
        var body = _page.WrittenSpan;
        int maxCompressed = Snappy.GetMaxCompressedLength(body.Length);
        if (_compressed.Length < maxCompressed)
        {
            _compressed = new byte[maxCompressed];
        }

        int compressed = Snappy.Compress(body, _compressed);
        header.UncompressedPageSize = body.Length;
        header.CompressedPageSize = compressed;
        _header.SetLength(0);
        ParquetThrift.Write(header, _header);
        var headerBytes = _header.GetBuffer().AsSpan(0, (int)_header.Length);
        output.Write(headerBytes);
        output.Write(_compressed.AsSpan(0, compressed));
        chunk.CompressedBytes += headerBytes.Length + compressed;
        chunk.UncompressedBytes += headerBytes.Length + body.Length;
    }

    private static void SetIntegerBounds<T>(Statistics statistics, ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryInteger<T>
    {
        statistics.NullCount = 0;
        if (values.IsEmpty)
        {
            return;
        }

        T min = values[0], max = values[0];
        foreach (T value in values)
        {
            min = T.Min(min, value);
            max = T.Max(max, value);
        }

        SetBounds(statistics, Bytes(min), Bytes(max));
    }

    // NaN has no place in the order, so it is left out of the bounds. The Parquet format specifies a zero minimum as -0.0
    // and a zero maximum as +0.0, so a reader that compares with the other zero does not skip the chunk.
    private static void SetBounds(Statistics statistics, ReadOnlySpan<double> values)
    {
        statistics.NullCount = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        bool any = false;
        foreach (double value in values)
        {
            if (!double.IsNaN(value))
            {
                min = Math.Min(min, value);
                max = Math.Max(max, value);
                any = true;
            }
        }

        if (any)
        {
            SetBounds(statistics, Bytes(min == 0 ? -0.0 : min), Bytes(max == 0 ? 0.0 : max));
        }
    }

    // Text keeps only min_value and max_value: old readers compare the deprecated fields as signed bytes.
    private static void SetBounds(Statistics statistics, TextBounds bounds)
    {
        byte[]? min = bounds.Min, max = bounds.Max;
        if (min is not null && max is not null && min.Length <= MaxTextBoundBytes && max.Length <= MaxTextBoundBytes)
        {
            statistics.MinValue = min;
            statistics.MaxValue = max;
        }
    }

    // Numbers keep the deprecated min and max beside min_value and max_value, because older readers read only those.
    // For numbers both pairs mean the same.
    private static void SetBounds(Statistics statistics, byte[] min, byte[] max)
    {
        statistics.Min = statistics.MinValue = min;
        statistics.Max = statistics.MaxValue = max;
    }

    private static byte[] Bytes<T>(T value)
        where T : unmanaged => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();

    private static void EnsureLength<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[Math.Max(length, array.Length * 2)];
        }
    }

    // The chunk being written: where its pages are, their sizes and its statistics.
    private sealed class Chunk(ColumnSpec column, int rows, long start)
    {
        public ColumnSpec Column { get; } = column;

        public Statistics Statistics { get; } = new() { NullCount = 0 };

        public long? DictionaryOffset { get; set; }

        public long? DataOffset { get; set; }

        public long CompressedBytes { get; set; }

        public long UncompressedBytes { get; set; }

        public ColumnChunk Describe() => new()
        {
            FileOffset = start,
            MetaData = new ColumnMetaData
            {
                Type = PhysicalType(Column),
                Encodings = DictionaryOffset is null ? [Encoding.PLAIN, Encoding.RLE] : [Encoding.PLAIN_DICTIONARY, Encoding.RLE],
                PathInSchema = [Column.Name],
                Codec = CompressionCodec.SNAPPY,
                NumValues = rows,
                TotalUncompressedSize = UncompressedBytes,
                TotalCompressedSize = CompressedBytes,
                DataPageOffset = DataOffset ?? start,
                DictionaryPageOffset = DictionaryOffset,
                Statistics = Statistics,
            },
        };
    }

    // Rows of a text column, read as UTF-8 bytes.
    private interface ITextRows
    {
        bool TryGet(int row, out ReadOnlyMemory<byte> value);
    }

    private readonly struct RequiredText(ReadOnlyMemory<byte>[] values) : ITextRows
    {
        public bool TryGet(int row, out ReadOnlyMemory<byte> value)
        {
            value = values[row];
            return true;
        }
    }

    private readonly struct OptionalText(ReadOnlyMemory<byte>?[] values) : ITextRows
    {
        public bool TryGet(int row, out ReadOnlyMemory<byte> value)
        {
            var present = values[row];
            value = present.GetValueOrDefault();
            return present.HasValue;
        }
    }
}

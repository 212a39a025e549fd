using System.Buffers;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Column-wise rows of one table, to be written as one row group. Columns grow as rows arrive, so a buffer for a
/// partition with a handful of rows stays small. Set every column of a row, then call <see cref="EndRow"/>.
/// Text is held as character slices, the form Parquet.Net encodes: either of a string the caller keeps, or of blocks
/// of characters the buffer decodes UTF-8 values into, so that decoded text needs no string per value. Call
/// <see cref="Release"/> when a buffer is dropped, to return its blocks to the shared pool.
/// </summary>
public sealed class RowBuffer
{
    private const int InitialCapacity = 256;

    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    // Characters per text block: 64 KiB, below the large object heap threshold.
    private const int BlockCharacters = 32 * 1024;

    private readonly Array[] _columns;
    private readonly List<char[]> _blocks = [];
    private char[]? _block;
    private int _blockUsed;

    /// <summary>Creates an empty buffer for <paramref name="columns"/>.</summary>
    public RowBuffer(IReadOnlyList<ColumnSpec> columns)
    {
        Columns = columns;
        _columns = columns.Select(c => Allocate(c, InitialCapacity)).ToArray();
    }

    /// <summary>The columns, in schema order.</summary>
    public IReadOnlyList<ColumnSpec> Columns { get; }

    /// <summary>Number of rows the columns have room for before they grow.</summary>
    public int Capacity => _columns[0].Length;

    /// <summary>Completed rows.</summary>
    public int Count { get; private set; }

    /// <summary>UTF-16 characters of text held, an estimate of the row group's size.</summary>
    public long TextLength { get; private set; }

    /// <summary>Sets a text column of the current row to <paramref name="value"/>, which the buffer refers to without copying.</summary>
    public void SetText(int column, string? value)
    {
        ((ReadOnlyMemory<char>?[])_columns[column])[Count] = value?.AsMemory();
        TextLength += value?.Length ?? 0;
    }

    /// <summary>Sets a text column of the current row to the text that the UTF-8 bytes <paramref name="utf8"/> encode.</summary>
    public void CopyUtf8(int column, ReadOnlySpan<byte> utf8)
    {
        var text = Decode(utf8);
        ((ReadOnlyMemory<char>?[])_columns[column])[Count] = text;
        TextLength += text.Length;
    }

    /// <summary>Sets a 32-bit integer column of the current row.</summary>
    public void SetInt32(int column, int value)
    {
        ((int[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a 64-bit integer column of the current row.</summary>
    public void SetInt64(int column, long value)
    {
        ((long[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a double column of the current row.</summary>
    public void SetDouble(int column, double value)
    {
        ((double[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a Boolean column of the current row.</summary>
    public void SetBoolean(int column, bool value)
    {
        ((bool[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a date column of the current row. The column contains days since 1970-01-01.</summary>
    public void SetDate(int column, DateOnly value)
    {
        ((int[])_columns[column])[Count] = value.DayNumber - UnixEpochDay;
    }

    /// <summary>
    /// Sets a timestamp column of the current row to a UTC instant, or null. The column contains microseconds since
    /// 1970-01-01 00:00 UTC, so ticks below a microsecond are dropped.
    /// </summary>
    public void SetTimestamp(int column, DateTime? utc)
    {
        if (Columns[column].Nullable)
        {
            ((long?[])_columns[column])[Count] = utc is { } instant ? Microseconds(instant) : null;
        }
        else
        {
            ((long[])_columns[column])[Count] = Microseconds(utc ?? throw new ArgumentNullException(nameof(utc)));
        }
    }

    /// <summary>Completes the current row, growing the columns when they are full, so that setters need no check.</summary>
    public void EndRow()
    {
        Count++;
        if (Count == _columns[0].Length)
        {
            Grow();
        }
    }

    /// <summary>Empties the buffer for reuse, keeping its capacity and the first of its text blocks.</summary>
    public void Clear()
    {
        foreach (var column in _columns)
        {
            if (column is ReadOnlyMemory<char>?[] text)
            {
                Array.Clear(text, 0, Count);
            }
        }

        ReturnBlocks(keepFirst: true);
        Count = 0;
        TextLength = 0;
    }

    /// <summary>Empties the buffer and returns its text blocks to the shared pool; call it when the buffer is dropped.</summary>
    public void Release()
    {
        Clear();
        ReturnBlocks(keepFirst: false);
    }

    /// <summary>The values of <paramref name="column"/>: an array at least <see cref="Count"/> long.</summary>
    public Array Values(int column) => _columns[column];

    // Floor division, so that an instant before 1970 with a fraction of a microsecond does not move forward.
    private static long Microseconds(DateTime utc)
    {
        long ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        long micros = ticks / TimeSpan.TicksPerMicrosecond;
        return ticks % TimeSpan.TicksPerMicrosecond < 0 ? micros - 1 : micros;
    }

    // Decodes straight into a block. UTF-8 never takes fewer bytes than UTF-16 code units, so room for as many
    // characters as bytes always suffices.
    private ReadOnlyMemory<char> Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0)
        {
            return ReadOnlyMemory<char>.Empty;
        }

        if (utf8.Length > BlockCharacters / 4)
        {
            // Long text, such as a long comment, gets a string of its own instead of wasting the rest of a block.
            return System.Text.Encoding.UTF8.GetString(utf8).AsMemory();
        }

        if (_block is null || _blockUsed + utf8.Length > _block.Length)
        {
            _block = ArrayPool<char>.Shared.Rent(BlockCharacters);
            _blocks.Add(_block);
            _blockUsed = 0;
        }

        int length = System.Text.Encoding.UTF8.GetChars(utf8, _block.AsSpan(_blockUsed));
        var slice = _block.AsMemory(_blockUsed, length);
        _blockUsed += length;
        return slice;
    }

    private void ReturnBlocks(bool keepFirst)
    {
        int firstReturned = keepFirst && _blocks.Count > 0 ? 1 : 0;
        for (int i = firstReturned; i < _blocks.Count; i++)
        {
            ArrayPool<char>.Shared.Return(_blocks[i]);
        }

        _blocks.RemoveRange(firstReturned, _blocks.Count - firstReturned);
        _block = firstReturned == 1 ? _blocks[0] : null;
        _blockUsed = 0;
    }

    private void Grow()
    {
        for (int i = 0; i < _columns.Length; i++)
        {
            var larger = Allocate(Columns[i], _columns[i].Length * 2);
            Array.Copy(_columns[i], larger, Count);
            _columns[i] = larger;
        }
    }

    private static Array Allocate(ColumnSpec column, int capacity) => column.Kind switch
    {
        ColumnKind.Text => new ReadOnlyMemory<char>?[capacity],
        ColumnKind.Int32 => new int[capacity],
        ColumnKind.Int64 => new long[capacity],
        ColumnKind.Double => new double[capacity],
        ColumnKind.Boolean => new bool[capacity],
        ColumnKind.Date => new int[capacity],
        ColumnKind.Timestamp when column.Nullable => new long?[capacity],
        ColumnKind.Timestamp => new long[capacity],
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "Unknown column kind."),
    };
}

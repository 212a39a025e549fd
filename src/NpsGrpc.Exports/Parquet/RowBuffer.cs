using System.Buffers;
using System.Text;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Column-wise rows of one table, to be written as one row group. Columns grow as rows arrive, so a buffer for a
/// partition with a handful of rows stays small. Set every column of a row, then call <see cref="EndRow"/>.
/// Text of a dictionary column is held as references to strings the caller keeps, one 8-byte store per value. Other
/// text is held as UTF-8 slices of byte blocks, which the file writer stores as they are, so copied text is neither
/// decoded nor encoded again. Call <see cref="Release"/> when a buffer is dropped, to
/// return its blocks to the shared pool.
/// </summary>
public sealed class RowBuffer
{
    private const int InitialCapacity = 256;

    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    // Bytes per text block: 64 KiB, below the large object heap threshold.
    private const int BlockBytes = 64 * 1024;

    private readonly Array[] _columns;
    private readonly bool[] _nullable;
    private readonly List<byte[]> _blocks = [];
    private byte[]? _block;
    private int _blockUsed;

    /// <summary>Creates an empty buffer for <paramref name="columns"/>.</summary>
    public RowBuffer(IReadOnlyList<ColumnSpec> columns)
    {
        Columns = columns;
        _columns = columns.Select(c => Allocate(c, InitialCapacity)).ToArray();
        _nullable = columns.Select(c => c.Nullable).ToArray();
    }

    /// <summary>The columns, in schema order.</summary>
    public IReadOnlyList<ColumnSpec> Columns { get; }

    /// <summary>Number of rows the columns have room for before they grow.</summary>
    public int Capacity => _columns[0].Length;

    /// <summary>Completed rows.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Length of the text set so far, in bytes for UTF-8 text and in characters for strings: an estimate of the row
    /// group's size.
    /// </summary>
    public long TextLength { get; private set; }

    /// <summary>
    /// Sets a text column of the current row to <paramref name="value"/>, which may be null only in a nullable column.
    /// A dictionary column refers to the string without copying it. Other columns store its UTF-8 encoding.
    /// </summary>
    public void SetText(int column, string? value)
    {
        switch (_columns[column])
        {
            case string?[] strings:
                strings[Count] = value ?? (_nullable[column] ? null : Required(column, value));
                break;
            case ReadOnlyMemory<byte>?[] utf8 when value is null:
                // Not a conditional expression: null converts to Memory<byte> through byte[], as empty text.
                utf8[Count] = null;
                break;
            case ReadOnlyMemory<byte>?[] utf8:
                utf8[Count] = Encode(value);
                break;
            default:
                ((ReadOnlyMemory<byte>[])_columns[column])[Count] = Encode(Required(column, value));
                break;
        }

        TextLength += value?.Length ?? 0;
    }

    /// <summary>
    /// Sets a text column of the current row, which must not be a dictionary column, to a copy of the UTF-8 bytes
    /// <paramref name="utf8"/>. The bytes are not checked, so they must come from a source that stores valid UTF-8
    /// only, such as PostgreSQL text.
    /// </summary>
    public void CopyUtf8(int column, ReadOnlySpan<byte> utf8)
    {
        var copy = Reserve(utf8.Length);
        utf8.CopyTo(copy.Span);
        if (_columns[column] is ReadOnlyMemory<byte>?[] nullable)
        {
            nullable[Count] = copy;
        }
        else
        {
            ((ReadOnlyMemory<byte>[])_columns[column])[Count] = copy;
        }

        TextLength += utf8.Length;
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
            // Text slices refer to strings and blocks, which must not stay reachable from an emptied buffer.
            if (column is string?[] or ReadOnlyMemory<byte>?[] or ReadOnlyMemory<byte>[])
            {
                Array.Clear(column, 0, Count);
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

    private string Required(int column, string? value) =>
        value ?? throw new ArgumentNullException(nameof(value), $"A null value is invalid for column {Columns[column].Name}, which is not nullable.");

    private Memory<byte> Encode(string value)
    {
        var bytes = Reserve(Encoding.UTF8.GetByteCount(value));
        Encoding.UTF8.GetBytes(value, bytes.Span);
        return bytes;
    }

    // Takes length bytes from the current block, or from a new one when it is full. Text longer than a quarter block,
    // such as a long comment, gets an array of its own instead of wasting the rest of a block.
    private Memory<byte> Reserve(int length)
    {
        if (length > BlockBytes / 4)
        {
            return new byte[length];
        }

        if (_block is null || _blockUsed + length > _block.Length)
        {
            _block = ArrayPool<byte>.Shared.Rent(BlockBytes);
            _blocks.Add(_block);
            _blockUsed = 0;
        }

        var room = _block.AsMemory(_blockUsed, length);
        _blockUsed += length;
        return room;
    }

    private void ReturnBlocks(bool keepFirst)
    {
        int firstReturned = keepFirst && _blocks.Count > 0 ? 1 : 0;
        for (int i = firstReturned; i < _blocks.Count; i++)
        {
            ArrayPool<byte>.Shared.Return(_blocks[i]);
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
        ColumnKind.Text when column.Dictionary => new string?[capacity],
        ColumnKind.Text when column.Nullable => new ReadOnlyMemory<byte>?[capacity],
        ColumnKind.Text => new ReadOnlyMemory<byte>[capacity],
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

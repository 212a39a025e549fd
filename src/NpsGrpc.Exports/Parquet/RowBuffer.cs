using System.Buffers;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Column-wise rows of one table, to be written as one row group. Columns grow as rows arrive, so a buffer for a
/// partition with a handful of rows stays small. Set every column of a row, then call <see cref="EndRow"/>.
/// Text is held as character slices, the form Parquet.Net encodes: either of a string the caller keeps, or of blocks
/// of characters the buffer copies values into, so that decoded text needs no string per value. Call
/// <see cref="Release"/> when a buffer is dropped, to return its blocks to the shared pool.
/// </summary>
public sealed class RowBuffer
{
    private const int InitialCapacity = 256;

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
        EnsureCapacity();
        ((ReadOnlyMemory<char>?[])_columns[column])[Count] = value?.AsMemory();
        TextLength += value?.Length ?? 0;
    }

    /// <summary>Sets a text column of the current row to a copy of <paramref name="value"/>.</summary>
    public void CopyText(int column, ReadOnlySpan<char> value)
    {
        EnsureCapacity();
        ((ReadOnlyMemory<char>?[])_columns[column])[Count] = Copy(value);
        TextLength += value.Length;
    }

    /// <summary>Sets a 32-bit integer column of the current row.</summary>
    public void SetInt32(int column, int value)
    {
        EnsureCapacity();
        ((int[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a 64-bit integer column of the current row.</summary>
    public void SetInt64(int column, long value)
    {
        EnsureCapacity();
        ((long[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a double column of the current row.</summary>
    public void SetDouble(int column, double value)
    {
        EnsureCapacity();
        ((double[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a Boolean column of the current row.</summary>
    public void SetBoolean(int column, bool value)
    {
        EnsureCapacity();
        ((bool[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a date column of the current row.</summary>
    public void SetDate(int column, DateOnly value)
    {
        EnsureCapacity();
        ((DateOnly[])_columns[column])[Count] = value;
    }

    /// <summary>Sets a timestamp column of the current row to a UTC instant, or null.</summary>
    public void SetTimestamp(int column, DateTime? utc)
    {
        EnsureCapacity();
        if (Columns[column].Nullable)
        {
            ((DateTime?[])_columns[column])[Count] = utc;
        }
        else
        {
            ((DateTime[])_columns[column])[Count] = utc ?? throw new ArgumentNullException(nameof(utc));
        }
    }

    /// <summary>Completes the current row.</summary>
    public void EndRow() => Count++;

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

    private ReadOnlyMemory<char> Copy(ReadOnlySpan<char> value)
    {
        if (value.Length == 0)
        {
            return ReadOnlyMemory<char>.Empty;
        }

        if (value.Length > BlockCharacters / 4)
        {
            // Long text, such as a long comment, gets an array of its own instead of wasting the rest of a block.
            return value.ToArray();
        }

        if (_block is null || _blockUsed + value.Length > _block.Length)
        {
            _block = ArrayPool<char>.Shared.Rent(BlockCharacters);
            _blocks.Add(_block);
            _blockUsed = 0;
        }

        var slice = _block.AsMemory(_blockUsed, value.Length);
        value.CopyTo(slice.Span);
        _blockUsed += value.Length;
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

    private void EnsureCapacity()
    {
        if (Count < _columns[0].Length)
        {
            return;
        }

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
        ColumnKind.Date => new DateOnly[capacity],
        ColumnKind.Timestamp when column.Nullable => new DateTime?[capacity],
        ColumnKind.Timestamp => new DateTime[capacity],
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "Unknown column kind."),
    };
}

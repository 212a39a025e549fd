namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Column-wise rows of one table, to be written as one row group. Columns grow as rows arrive, so a buffer for a
/// partition with a handful of rows stays small. Set every column of a row, then call <see cref="EndRow"/>.
/// </summary>
public sealed class RowBuffer
{
    private const int InitialCapacity = 256;
    private readonly Array[] _columns;

    /// <summary>Creates an empty buffer for <paramref name="columns"/>.</summary>
    public RowBuffer(IReadOnlyList<ColumnSpec> columns)
    {
        Columns = columns;
        _columns = columns.Select(c => Allocate(c, InitialCapacity)).ToArray();
    }

    /// <summary>The columns, in schema order.</summary>
    public IReadOnlyList<ColumnSpec> Columns { get; }

    /// <summary>Completed rows.</summary>
    public int Count { get; private set; }

    /// <summary>UTF-16 characters of text held, an estimate of the row group's size.</summary>
    public long TextLength { get; private set; }

    /// <summary>Sets a text column of the current row.</summary>
    public void SetText(int column, string? value)
    {
        EnsureCapacity();
        ((string?[])_columns[column])[Count] = value;
        TextLength += value?.Length ?? 0;
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

    /// <summary>Empties the buffer for reuse, keeping its capacity and dropping its references to text.</summary>
    public void Clear()
    {
        foreach (var column in _columns)
        {
            if (column is string?[] text)
            {
                Array.Clear(text, 0, Count);
            }
        }

        Count = 0;
        TextLength = 0;
    }

    /// <summary>The values of <paramref name="column"/>: an array at least <see cref="Count"/> long.</summary>
    public Array Values(int column) => _columns[column];

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
        ColumnKind.Text => new string?[capacity],
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

using System.Buffers;
using System.Security.Cryptography;
using global::Parquet;
using global::Parquet.Schema;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Writes one Parquet file, row group by row group, with the types every common reader accepts: INT64 timestamps in
/// microseconds adjusted to UTC, DATE, signed integers, UTF-8 strings, PLAIN or dictionary encoding and Snappy.
/// Instants and dates go to Parquet.Net as plain integers, and text other than dictionary columns as UTF-8 byte
/// arrays. <see cref="ColumnTypeAnnotations"/> then gives them their logical types and the text its statistics.
/// </summary>
public sealed class PartFileWriter : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;
    private readonly IReadOnlyList<ColumnSpec> _columns;
    private readonly string _table;
    private readonly DateOnly? _partition;
    private readonly string _stagingPath;
    private readonly string _finalPath;
    private readonly List<TextBounds> _textBounds = [];
    private bool _completed;

    private PartFileWriter(
        FileStream file, ParquetWriter writer, DataField[] fields, IReadOnlyList<ColumnSpec> columns, string table, DateOnly? partition,
        string stagingPath, string finalPath)
    {
        _file = file;
        _writer = writer;
        _fields = fields;
        _columns = columns;
        _table = table;
        _partition = partition;
        _stagingPath = stagingPath;
        _finalPath = finalPath;
    }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Row groups written so far.</summary>
    public int RowGroups { get; private set; }

    /// <summary>Starts a Parquet file in <paramref name="file"/>, a new staged file open for reading and writing.</summary>
    public static async Task<PartFileWriter> CreateAsync(
        FileStream file, IReadOnlyList<ColumnSpec> columns, string table, DateOnly? partition, string stagingPath, string finalPath,
        CancellationToken cancellationToken)
    {
        var layout = Layouts.GetValue(columns, CreateLayout);
        var writer = await ParquetWriter.CreateAsync(layout.Schema, new InlineFileStream(file), layout.Options, append: false, cancellationToken);
        return new PartFileWriter(file, writer, layout.Fields, columns, table, partition, stagingPath, finalPath);
    }

    // Options are shared by every file of one column list: each ParquetOptions instance owns a pool of memory streams,
    // and a new one per file made a run with a file per date allocate gigabytes.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<ColumnSpec>, FileLayout> Layouts = [];

    private static FileLayout CreateLayout(IReadOnlyList<ColumnSpec> columns)
    {
        var fields = columns.Select(ToField).ToArray();
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy };
        foreach ((var column, var field) in columns.Zip(fields))
        {
            if (column.Dictionary)
            {
                options.ColumnEncodingHints[field.Path.ToString()] = EncodingHint.Dictionary;
            }
        }

        return new FileLayout(fields, new ParquetSchema(fields), options);
    }

    private sealed record FileLayout(DataField[] Fields, ParquetSchema Schema, ParquetOptions Options);

    /// <summary>Writes the rows of <paramref name="rows"/> as one row group.</summary>
    public async Task WriteRowGroupAsync(RowBuffer rows, CancellationToken cancellationToken)
    {
        int count = rows.Count;
        using (var group = _writer.CreateRowGroup())
        {
            for (int i = 0; i < _fields.Length; i++)
            {
                var field = _fields[i];
                var values = rows.Values(i);
                switch (values)
                {
                    case string?[] strings:
                        _textBounds.Add(TextBounds.Of(RowGroups, i, strings.AsSpan(0, count)));
                        await WriteSharedTextAsync(group, field, strings, count, cancellationToken);
                        break;
                    case ReadOnlyMemory<byte>?[] utf8:
                        await WriteOptionalTextAsync(group, field, i, utf8, count, cancellationToken);
                        break;
                    case ReadOnlyMemory<byte>[] utf8:
                        _textBounds.Add(TextBounds.Of(RowGroups, i, utf8.AsSpan(0, count)));
                        await group.WriteAsync(field, new ReadOnlyMemory<ReadOnlyMemory<byte>>(utf8, 0, count), null, null, cancellationToken);
                        break;
                    case int[] ints:
                        await group.WriteAsync(field, new ReadOnlyMemory<int>(ints, 0, count), null, null, cancellationToken);
                        break;
                    case long[] longs:
                        await group.WriteAsync(field, new ReadOnlyMemory<long>(longs, 0, count), null, null, cancellationToken);
                        break;
                    case long?[] optionalLongs:
                        await group.WriteAsync(field, new ReadOnlyMemory<long?>(optionalLongs, 0, count), null, null, cancellationToken);
                        break;
                    case double[] doubles:
                        await group.WriteAsync(field, new ReadOnlyMemory<double>(doubles, 0, count), null, null, cancellationToken);
                        break;
                    case bool[] booleans:
                        await group.WriteAsync(field, new ReadOnlyMemory<bool>(booleans, 0, count), null, null, cancellationToken);
                        break;
                    default:
                        throw new InvalidOperationException($"Column {field.Name} has values of unexpected type {values.GetType()}.");
                }
            }

            group.CompleteValidate();
        }

        Rows += count;
        RowGroups++;
    }

    // Writes a nullable text column that is not dictionary encoded, and records its bounds. As for dictionary columns, one
    // pass makes the present values and the definition levels that Parquet.Net would derive in two.
    private async Task WriteOptionalTextAsync(
        ParquetRowGroupWriter group, DataField field, int column, ReadOnlyMemory<byte>?[] values, int count, CancellationToken cancellationToken)
    {
        var present = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(count);
        int[]? levels = null;
        try
        {
            levels = ArrayPool<int>.Shared.Rent(count);
            int presentCount = 0;
            for (int row = 0; row < count; row++)
            {
                if (values[row] is { } text)
                {
                    present[presentCount++] = text;
                    levels[row] = field.MaxDefinitionLevel;
                }
                else
                {
                    levels[row] = field.MaxDefinitionLevel - 1;
                }
            }

            var presentValues = new ReadOnlyMemory<ReadOnlyMemory<byte>>(present, 0, presentCount);
            _textBounds.Add(TextBounds.Of(RowGroups, column, presentValues.Span));
            await group.WriteAllPartsAsync(field, presentValues, new ReadOnlyMemory<int>(levels, 0, count), null, cancellationToken);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(present, clearArray: true);
            if (levels is not null)
            {
                ArrayPool<int>.Shared.Return(levels);
            }
        }
    }

    // Hands the strings of a dictionary column to Parquet.Net's dictionary encoder, which reads character slices. One pass
    // puts the slices of the present values in a pooled array and, for a nullable column, sets each row's definition
    // level. Given nullable slices instead, Parquet.Net would derive both in two more passes.
    private static async Task WriteSharedTextAsync(
        ParquetRowGroupWriter group, DataField field, string?[] strings, int count, CancellationToken cancellationToken)
    {
        var slices = ArrayPool<ReadOnlyMemory<char>>.Shared.Rent(count);
        int[]? levels = null;
        try
        {
            if (field.IsNullable)
            {
                levels = ArrayPool<int>.Shared.Rent(count);
            }

            int presentCount = 0;
            for (int row = 0; row < count; row++)
            {
                if (strings[row] is { } text)
                {
                    slices[presentCount++] = text.AsMemory();
                    if (levels is not null)
                    {
                        levels[row] = field.MaxDefinitionLevel;
                    }
                }
                else if (levels is not null)
                {
                    levels[row] = field.MaxDefinitionLevel - 1;
                }
                else
                {
                    throw new InvalidOperationException($"Row {row} of column {field.Name}, which is not nullable, has no value.");
                }
            }

            // Not a conditional expression: null converts to ReadOnlyMemory<int> through int[], as zero levels.
            ReadOnlyMemory<int>? definitionLevels = null;
            if (levels is not null)
            {
                definitionLevels = new ReadOnlyMemory<int>(levels, 0, count);
            }

            await group.WriteAllPartsAsync(
                field, new ReadOnlyMemory<ReadOnlyMemory<char>>(slices, 0, presentCount), definitionLevels, null, cancellationToken);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<char>>.Shared.Return(slices, clearArray: true);
            if (levels is not null)
            {
                ArrayPool<int>.Shared.Return(levels);
            }
        }
    }

    /// <summary>
    /// Finishes the file, gives its timestamp and date columns their types and describes it. The file is not flushed to disk here: the
    /// destination flushes all of a run's files at once before they are published.
    /// </summary>
    public async Task<StagedFile> CompleteAsync()
    {
        _completed = true;
        await _writer.DisposeAsync();
        ColumnTypeAnnotations.Apply(_file, _columns, _textBounds);

        // The file was just written, so it is read back from the page cache; a synchronous read avoids a thread switch
        // per buffer.
        _file.Seek(0, SeekOrigin.Begin);
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(_file));
        var staged = new StagedFile(_table, _partition, _stagingPath, _finalPath, Rows, _file.Length, sha256);
        await _file.DisposeAsync();
        return staged;
    }

    /// <summary>Closes the file without completing it; a run that fails leaves it in staging, which is deleted.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        try
        {
            await _writer.DisposeAsync();
        }
        catch (IOException)
        {
            // The file is abandoned; its folder is removed with the run's staging.
        }

        await _file.DisposeAsync();
    }

    private static DataField ToField(ColumnSpec column) => column.Kind switch
    {
        ColumnKind.Text when column.Dictionary => new DataField<string>(column.Name, column.Nullable),
        ColumnKind.Text => new DataField<byte[]>(column.Name, column.Nullable),
        ColumnKind.Int32 => new DataField<int>(column.Name),
        ColumnKind.Int64 => new DataField<long>(column.Name),
        ColumnKind.Double => new DataField<double>(column.Name),
        ColumnKind.Boolean => new DataField<bool>(column.Name),
        ColumnKind.Date => new DataField<int>(column.Name),
        ColumnKind.Timestamp => new DataField<long>(column.Name, column.Nullable),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "Unknown column kind."),
    };
}

using System.Reflection;
using global::Parquet.Meta;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Writes one Parquet file, row group by row group, with the types every common reader accepts: INT64 timestamps in
/// microseconds adjusted to UTC, DATE, signed integers, UTF-8 strings, PLAIN or dictionary encoding and Snappy
/// (see <see cref="ColumnChunkWriter"/>). Every column declares the order of its statistics, so readers may skip row
/// groups by them.
/// </summary>
/// <remarks>
/// The writes are synchronous on the caller's thread: a staged file goes to the page cache, and .NET has no
/// asynchronous file I/O on Linux, so asynchronous calls would only move each write to another thread.
/// </remarks>
public sealed class PartFileWriter : IAsyncDisposable
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    private static readonly string CreatedBy =
        $"npsgrpc version {typeof(PartFileWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0"}";

    // Chunk writers keep page buffers of about 2 MiB, so files share them instead of keeping one each.
    private static readonly Microsoft.Extensions.ObjectPool.ObjectPool<ColumnChunkWriter> ChunkWriters =
        new Microsoft.Extensions.ObjectPool.DefaultObjectPoolProvider().Create<ColumnChunkWriter>();

    private readonly FileStream _file;
    private readonly HashedOutput _output;
    private readonly IReadOnlyList<ColumnSpec> _columns;
    private readonly List<RowGroup> _rowGroups = [];
    private readonly string _table;
    private readonly DateOnly? _partition;
    private readonly string _stagingPath;
    private readonly string _finalPath;
    private bool _completed;

    private PartFileWriter(
        FileStream file, IReadOnlyList<ColumnSpec> columns, string table, DateOnly? partition, string stagingPath, string finalPath)
    {
        _file = file;
        _output = new HashedOutput(file);
        _columns = columns;
        _table = table;
        _partition = partition;
        _stagingPath = stagingPath;
        _finalPath = finalPath;
        _output.Write(Magic);
    }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Row groups written so far.</summary>
    public int RowGroups { get; private set; }

    /// <summary>
    /// Starts a Parquet file in <paramref name="file"/>, a new empty staged file. Only text and timestamp columns may be
    /// nullable.
    /// </summary>
    public static Task<PartFileWriter> CreateAsync(
        FileStream file, IReadOnlyList<ColumnSpec> columns, string table, DateOnly? partition, string stagingPath, string finalPath,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var column in columns)
        {
            if (column.Nullable && column.Kind is not (ColumnKind.Text or ColumnKind.Timestamp))
            {
                throw new ArgumentException($"Column {column.Name} of kind {column.Kind} cannot be nullable: only text and timestamp columns can.", nameof(columns));
            }
        }

        return Task.FromResult(new PartFileWriter(file, columns, table, partition, stagingPath, finalPath));
    }

    /// <summary>
    /// Writes the rows of <paramref name="rows"/> as one row group. An empty buffer writes nothing: a file without rows
    /// has no row group, because older readers, parquet-mr among them, reject a row group of 0 rows.
    /// </summary>
    public Task WriteRowGroupAsync(RowBuffer rows, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_completed, this);
        int count = rows.Count;
        if (count == 0)
        {
            return Task.CompletedTask;
        }

        var group = new RowGroup { NumRows = count, FileOffset = _output.Position, Columns = new List<ColumnChunk>(_columns.Count) };
        var writer = ChunkWriters.Get();
        try
        {
            for (int i = 0; i < _columns.Count; i++)
            {
                var chunk = writer.Write(_columns[i], rows.Values(i), count, _output);
                group.Columns.Add(chunk);
                group.TotalByteSize += chunk.MetaData!.TotalUncompressedSize;
            }
        }
        finally
        {
            writer.Release();
            ChunkWriters.Return(writer);
        }

        group.TotalCompressedSize = _output.Position - group.FileOffset;
        _rowGroups.Add(group);
        Rows += count;
        RowGroups++;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes the footer and describes the file. The file is not flushed to disk here: the destination flushes all of
    /// a run's files at once before they are published. The file is closed even when this fails.
    /// </summary>
    public Task<StagedFile> CompleteAsync()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        StagedFile staged;
        try
        {
            var footer = new FileMetaData
            {
                Version = 1,
                Schema = [new SchemaElement { Name = "root", NumChildren = _columns.Count }, .. _columns.Select(Element)],
                NumRows = Rows,
                RowGroups = _rowGroups,
                CreatedBy = CreatedBy,
                ColumnOrders = _columns.Select(_ => new ColumnOrder { TYPEORDER = new TypeDefinedOrder() }).ToList(),
            };
            using var footerBytes = new MemoryStream();
            ParquetThrift.Write(footer, footerBytes);
            _output.Write(footerBytes.GetBuffer().AsSpan(0, (int)footerBytes.Length));
            Span<byte> length = stackalloc byte[sizeof(int)];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, (int)footerBytes.Length);
            _output.Write(length);
            _output.Write(Magic);

            // Closing flushes the file's buffer, so a failed write shows here, before the file is described as complete.
            _completed = true;
            staged = new StagedFile(_table, _partition, _stagingPath, _finalPath, Rows, _output.Position, _output.Sha256());
            _output.Dispose();
            _file.Dispose();
        }
        catch
        {
            Abandon();
            throw;
        }

        return Task.FromResult(staged);
    }

    /// <summary>Closes the file without completing it; a run that fails leaves it in staging, which is deleted.</summary>
    public ValueTask DisposeAsync()
    {
        Abandon();
        return ValueTask.CompletedTask;
    }

    // Closes the file synchronously, because FileStream.DisposeAsync would hand the flush of its buffer to the thread
    // pool and the writer would continue on a pool thread. A failed flush is ignored: the file is abandoned anyway.
    private void Abandon()
    {
        _completed = true;
        _output.Dispose();
        try
        {
            _file.Dispose();
        }
        catch (IOException)
        {
            // The staged file is deleted with the run's staging.
        }
    }

    // The schema element of a column: its physical type and, for text, dates, instants and integers, its logical
    // type with the converted type that older readers read.
    private static SchemaElement Element(ColumnSpec column)
    {
        var element = new SchemaElement
        {
            Name = column.Name,
            Type = ColumnChunkWriter.PhysicalType(column),
            RepetitionType = column.Nullable ? FieldRepetitionType.OPTIONAL : FieldRepetitionType.REQUIRED,
        };
        switch (column.Kind)
        {
            case ColumnKind.Text:
                element.LogicalType = new LogicalType { STRING = new StringType() };
                element.ConvertedType = ConvertedType.UTF8;
                break;
            case ColumnKind.Date:
                element.LogicalType = new LogicalType { DATE = new DateType() };
                element.ConvertedType = ConvertedType.DATE;
                break;
            case ColumnKind.Timestamp:
                element.LogicalType = new LogicalType
                {
                    TIMESTAMP = new TimestampType { IsAdjustedToUTC = true, Unit = new TimeUnit { MICROS = new MicroSeconds() } },
                };
                element.ConvertedType = ConvertedType.TIMESTAMP_MICROS;
                break;
            case ColumnKind.Int32:
                element.LogicalType = new LogicalType { INTEGER = new IntType { BitWidth = 32, IsSigned = true } };
                element.ConvertedType = ConvertedType.INT_32;
                break;
            case ColumnKind.Int64:
                element.LogicalType = new LogicalType { INTEGER = new IntType { BitWidth = 64, IsSigned = true } };
                element.ConvertedType = ConvertedType.INT_64;
                break;
        }

        return element;
    }
}

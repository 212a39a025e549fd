using System.Buffers.Binary;
using System.Reflection;
using global::Parquet.Meta;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Completes the footer of a finished file. Integer columns that contain instants and dates get their logical types,
/// TIMESTAMP(MICROS, isAdjustedToUTC = true) with the converted type TIMESTAMP_MICROS, and DATE, and lose the minimum
/// and maximum of chunks that contain only nulls. Byte array columns that contain text get STRING with the converted
/// type UTF8. Every text chunk gets its minimum and maximum in UTF-8 byte order, and the file declares the order of
/// each column's statistics.
/// </summary>
/// <remarks>
/// <para>
/// Parquet.Net 6.1 encodes <see cref="DateTime"/> and <see cref="DateOnly"/> values one at a time, allocating an array
/// for each, and records the statistics of microsecond timestamps in milliseconds, so readers that skip row groups by
/// statistics, such as DuckDB, dropped rows that matched a time filter. The export therefore hands it instants as
/// INT64 microseconds and dates as INT32 days. Parquet.Net encodes those in bulk with exact statistics, in the units
/// the logical types define, and only the schema's annotation is left to add here.
/// </para>
/// <para>
/// Text without a dictionary goes to Parquet.Net as the UTF-8 bytes read from PostgreSQL, which it stores as they
/// are, without the per-value conversion from and to UTF-16 that strings cost. It computes no statistics for bytes,
/// and computes those of strings in UTF-16 order, which differs from UTF-8 order for characters above U+FFFF. The
/// writer therefore computes the minimum and maximum of every text chunk itself (<see cref="TextBounds"/>).
/// Parquet leaves min_value and max_value undefined in a file without column orders, so every column gets the order
/// its type defines.
/// </para>
/// <para>
/// NOTE: the data page headers of dictionary text columns keep Parquet.Net's statistics, in UTF-16 order, because
/// pages are not rewritten here. A reader that skips pages by their header statistics could skip a value above U+FFFF.
/// </para>
/// <para>
/// NOTE: Parquet.Net keeps its Thrift footer reader and writer internal, so they are reached by reflection. The export
/// tests check every column's type and a time filter in DuckDB, so a Parquet.Net upgrade that changes either side
/// fails them.
/// </para>
/// </remarks>
internal static class ColumnTypeAnnotations
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();
    private static readonly Assembly Library = typeof(FileMetaData).Assembly;
    private static readonly System.Type ReaderType = Library.GetType("Parquet.Meta.Proto.ThriftCompactProtocolReader", throwOnError: true)!;
    private static readonly System.Type WriterType = Library.GetType("Parquet.Meta.Proto.ThriftCompactProtocolWriter", throwOnError: true)!;
    private static readonly MethodInfo ReadFooter = typeof(FileMetaData).GetMethod("Read", BindingFlags.NonPublic | BindingFlags.Static)
        ?? throw new MissingMethodException(nameof(FileMetaData), "Read");
    private static readonly MethodInfo WriteFooter = typeof(FileMetaData).GetMethod("Write", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingMethodException(nameof(FileMetaData), "Write");

    /// <summary>
    /// Rewrites the footer of the complete Parquet file in <paramref name="file"/>, which must be readable, writable
    /// and seekable.
    /// </summary>
    /// <param name="file">The file, positioned anywhere.</param>
    /// <param name="columns">
    /// The file's columns, in schema order: timestamps written as INT64 microseconds, dates as INT32 days, and text
    /// without a dictionary as byte arrays.
    /// </param>
    /// <param name="textBounds">The bounds of every text chunk.</param>
    public static void Apply(FileStream file, IReadOnlyList<ColumnSpec> columns, IEnumerable<TextBounds> textBounds)
    {
        Span<byte> tail = stackalloc byte[8];
        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(tail);
        if (!tail[4..].SequenceEqual(Magic))
        {
            throw new InvalidDataException("The file does not end with the Parquet magic bytes.");
        }

        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        long footerStart = file.Length - 8 - footerLength;
        var footerBytes = new byte[footerLength];
        file.Seek(footerStart, SeekOrigin.Begin);
        file.ReadExactly(footerBytes);

        var metadata = (FileMetaData)ReadFooter.Invoke(null, [Activator.CreateInstance(ReaderType, new MemoryStream(footerBytes))])!;

        // The schema is flat: the root, then one element per column.
        if (metadata.Schema.Count != columns.Count + 1)
        {
            throw new InvalidDataException($"The file's schema has {metadata.Schema.Count - 1} columns; {columns.Count} were written.");
        }

        for (int i = 0; i < columns.Count; i++)
        {
            var element = metadata.Schema[i + 1];
            switch (columns[i].Kind)
            {
                case ColumnKind.Timestamp:
                    element.LogicalType = new LogicalType
                    {
                        TIMESTAMP = new TimestampType { IsAdjustedToUTC = true, Unit = new TimeUnit { MICROS = new MicroSeconds() } },
                    };
                    element.ConvertedType = ConvertedType.TIMESTAMP_MICROS;
                    break;
                case ColumnKind.Date:
                    element.LogicalType = new LogicalType { DATE = new DateType() };
                    element.ConvertedType = ConvertedType.DATE;
                    break;
                case ColumnKind.Text when !columns[i].Dictionary:
                    element.LogicalType = new LogicalType { STRING = new StringType() };
                    element.ConvertedType = ConvertedType.UTF8;
                    continue;
                default:
                    continue;
            }

            // For a chunk of nulls only, Parquet.Net records 0 as both minimum and maximum, which a reader of these
            // types takes for 1970-01-01. Such a chunk has no minimum or maximum.
            foreach (var group in metadata.RowGroups)
            {
                var chunk = group.Columns[i].MetaData!;
                if (chunk.Statistics is { } statistics && statistics.NullCount == chunk.NumValues)
                {
                    statistics.Min = statistics.MinValue = statistics.Max = statistics.MaxValue = null;
                }
            }
        }

        // The deprecated min and max fields are left out for text: old readers compare them as signed bytes.
        foreach (var bounds in textBounds)
        {
            var chunk = metadata.RowGroups[bounds.RowGroup].Columns[bounds.Column].MetaData!;
            chunk.Statistics ??= new Statistics();
            chunk.Statistics.Min = chunk.Statistics.Max = null;
            chunk.Statistics.MinValue = bounds.Min;
            chunk.Statistics.MaxValue = bounds.Max;
        }

        metadata.ColumnOrders = columns.Select(_ => new ColumnOrder { TYPEORDER = new TypeDefinedOrder() }).ToList();

        using var rewritten = new MemoryStream();
        WriteFooter.Invoke(metadata, [Activator.CreateInstance(WriterType, rewritten)]);
        file.SetLength(footerStart);
        file.Seek(footerStart, SeekOrigin.Begin);
        file.Write(rewritten.GetBuffer().AsSpan(0, (int)rewritten.Length));
        BinaryPrimitives.WriteInt32LittleEndian(tail, (int)rewritten.Length);
        file.Write(tail[..4]);
        file.Write(Magic);
    }
}

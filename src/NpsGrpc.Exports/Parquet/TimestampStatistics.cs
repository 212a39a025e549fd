using System.Buffers.Binary;
using System.Reflection;
using global::Parquet.Meta;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Rewrites the footer statistics of microsecond timestamp columns. Parquet.Net 6.1 writes their minimum and maximum
/// in milliseconds while the values are in microseconds, so readers that skip row groups by statistics, such as
/// DuckDB, drop rows that match a time filter. This class replaces them with the exact values the writer recorded.
/// </summary>
/// <remarks>
/// NOTE: Parquet.Net keeps its Thrift footer reader and writer internal, so they are reached by reflection. The
/// export tests check the statistics and a time filter in DuckDB, so a Parquet.Net upgrade that changes either side
/// fails them. Once the library writes correct statistics, this class can go.
/// </remarks>
internal static class TimestampStatistics
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
    /// Replaces the statistics of the columns at <paramref name="columns"/> in every row group of the complete Parquet
    /// file in <paramref name="file"/>, which must be readable, writable and seekable.
    /// </summary>
    /// <param name="file">The file, positioned anywhere.</param>
    /// <param name="columns">Column indexes in the schema's leaf order.</param>
    /// <param name="ranges">Per row group, per entry of <paramref name="columns"/>: the minimum and maximum in
    /// microseconds since the epoch, or null when the column holds only nulls in that row group.</param>
    public static void Rewrite(FileStream file, IReadOnlyList<int> columns, IReadOnlyList<(long Min, long Max)?[]> ranges)
    {
        if (columns.Count == 0 || ranges.Count == 0)
        {
            return;
        }

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
        if (metadata.RowGroups.Count != ranges.Count)
        {
            throw new InvalidDataException($"The file has {metadata.RowGroups.Count} row groups; {ranges.Count} were written.");
        }

        for (int group = 0; group < ranges.Count; group++)
        {
            for (int i = 0; i < columns.Count; i++)
            {
                var meta = metadata.RowGroups[group].Columns[columns[i]].MetaData!;
                var statistics = meta.Statistics ?? new Statistics();
                if (ranges[group][i] is { } range)
                {
                    statistics.Min = statistics.MinValue = Bytes(range.Min);
                    statistics.Max = statistics.MaxValue = Bytes(range.Max);
                    statistics.IsMinValueExact = statistics.IsMaxValueExact = true;
                }
                else
                {
                    statistics.Min = statistics.MinValue = statistics.Max = statistics.MaxValue = null;
                }

                meta.Statistics = statistics;
            }
        }

        using var rewritten = new MemoryStream();
        WriteFooter.Invoke(metadata, [Activator.CreateInstance(WriterType, rewritten)]);
        file.SetLength(footerStart);
        file.Seek(footerStart, SeekOrigin.Begin);
        file.Write(rewritten.GetBuffer().AsSpan(0, (int)rewritten.Length));
        BinaryPrimitives.WriteInt32LittleEndian(tail, (int)rewritten.Length);
        file.Write(tail[..4]);
        file.Write(Magic);
    }

    private static byte[] Bytes(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }
}

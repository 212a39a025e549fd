using System.Reflection;
using global::Parquet.Meta;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Serializes page headers and file footers with Parquet.Net's Thrift compact protocol, so the export's files use the
/// format model of the library that defines it.
/// </summary>
/// <remarks>
/// NOTE: Parquet.Net keeps its Thrift writer and the Write methods of its format classes internal, so they are reached
/// by reflection. Every export test reads the files back with DuckDB, and the writer tests also with Parquet.Net's
/// reader, so a Parquet.Net upgrade that renames either fails them.
/// </remarks>
internal static class ParquetThrift
{
    private static readonly Assembly Library = typeof(FileMetaData).Assembly;
    private static readonly System.Type WriterType = Library.GetType("Parquet.Meta.Proto.ThriftCompactProtocolWriter", throwOnError: true)!;
    private static readonly MethodInfo WritePageHeader = InternalWrite(typeof(PageHeader));
    private static readonly MethodInfo WriteFileMetaData = InternalWrite(typeof(FileMetaData));

    /// <summary>Appends <paramref name="header"/> to <paramref name="output"/>.</summary>
    public static void Write(PageHeader header, Stream output) => WritePageHeader.Invoke(header, [Activator.CreateInstance(WriterType, output)]);

    /// <summary>Appends <paramref name="footer"/> to <paramref name="output"/>.</summary>
    public static void Write(FileMetaData footer, Stream output) => WriteFileMetaData.Invoke(footer, [Activator.CreateInstance(WriterType, output)]);

    private static MethodInfo InternalWrite(System.Type type) =>
        type.GetMethod("Write", BindingFlags.NonPublic | BindingFlags.Instance, [WriterType])
        ?? throw new MissingMethodException(type.Name, "Write");
}

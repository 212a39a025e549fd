using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NpsGrpc.Exports.Layout;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Exports.Runs;

/// <summary>The JSON manifest a successful run publishes. Property names are written in snake case.</summary>
public sealed record Manifest
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Version of the layout and of this format.</summary>
    public int SchemaVersion { get; init; } = ExportTables.SchemaVersion;

    /// <summary>The target.</summary>
    public required string TargetId { get; init; }

    /// <summary>The run.</summary>
    public required long RunId { get; init; }

    /// <summary>incremental or restatement.</summary>
    public required string Kind { get; init; }

    /// <summary>When the manifest was written, ISO 8601 in UTC.</summary>
    public required string PublishedAt { get; init; }

    /// <summary>Time zone of the partition dates.</summary>
    public required string TimeZone { get; init; }

    /// <summary>Load sequence range the export covers after this run.</summary>
    public required ManifestWatermark Watermark { get; init; }

    /// <summary>For restatements, the restated dates.</summary>
    public ManifestDates? Restated { get; init; }

    /// <summary>Attribute columns per table, in column order.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<ManifestColumn>> Columns { get; init; }

    /// <summary>Files this run added.</summary>
    public required IReadOnlyList<ManifestFile> FilesAdded { get; init; }

    /// <summary>Files this run took out of the export; they are deleted after publication.</summary>
    public required IReadOnlyList<string> FilesRemoved { get; init; }

    /// <summary>Every file of the export after this run, per table.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<ManifestFile>> Tables { get; init; }

    /// <summary>Serialises the manifest as indented UTF-8 JSON.</summary>
    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a manifest.</summary>
    public static Manifest Parse(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize<Manifest>(utf8, Json)!;

    /// <summary>Builds the manifest of a committed run from the files recorded for its target.</summary>
    public static Manifest Build(
        ExportTargetRecord target,
        ExportRunRecord run,
        IReadOnlyList<ExportFileRecord> liveFiles,
        IReadOnlyList<string> removed,
        IReadOnlyDictionary<string, IReadOnlyList<(string Key, string Column)>> columns,
        DateTime publishedAt)
    {
        var tables = ExportTables.All.ToDictionary(
            table => table,
            table => (IReadOnlyList<ManifestFile>)liveFiles.Where(f => f.Table == table).Select(ManifestFile.From).ToList());
        return new Manifest
        {
            TargetId = target.TargetId,
            RunId = run.RunId,
            Kind = run.IsRestatement ? "restatement" : "incremental",
            PublishedAt = publishedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            TimeZone = target.TimeZone,
            Watermark = new ManifestWatermark(run.HighMark ?? -1, run.IsRestatement ? null : run.LowMark),
            Restated = run.IsRestatement ? new ManifestDates(Iso(run.RestateFrom!.Value), Iso(run.RestateTo!.Value)) : null,
            Columns = ExportTables.All.ToDictionary(
                table => table,
                table => (IReadOnlyList<ManifestColumn>)ColumnsOf(table, target, columns).Select(c => new ManifestColumn(c.Key, c.Column)).ToList()),
            FilesAdded = liveFiles.Where(f => f.RunId == run.RunId).Select(ManifestFile.From).ToList(),
            FilesRemoved = removed,
            Tables = tables,
        };
    }

    // The daily table's attribute columns are the fact table's columns of the segment keys.
    private static IEnumerable<(string Key, string Column)> ColumnsOf(
        string table, ExportTargetRecord target, IReadOnlyDictionary<string, IReadOnlyList<(string Key, string Column)>> columns) =>
        table == ExportTables.DailyNps
            ? target.SegmentKeys.Select(k => (columns.GetValueOrDefault(ExportTables.FactResponse) ?? []).First(c => c.Key == k))
            : columns.GetValueOrDefault(table) ?? [];

    /// <summary>A date as YYYY-MM-DD.</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>Load sequence marks.</summary>
/// <param name="LoadSequence">Responses stored with a load sequence at or below this are in the export.</param>
/// <param name="PreviousLoadSequence">Where this run started, for incremental runs.</param>
public sealed record ManifestWatermark(long LoadSequence, long? PreviousLoadSequence);

/// <summary>An inclusive date range.</summary>
/// <param name="First">First date, YYYY-MM-DD.</param>
/// <param name="Last">Last date, YYYY-MM-DD.</param>
public sealed record ManifestDates(string First, string Last);

/// <summary>An attribute key and its column.</summary>
/// <param name="AttributeKey">Key as stored.</param>
/// <param name="Column">Column name.</param>
public sealed record ManifestColumn(string AttributeKey, string Column);

/// <summary>One file in a manifest.</summary>
/// <param name="Path">Path relative to the destination, with forward slashes.</param>
/// <param name="PartitionDate">Partition, YYYY-MM-DD, for partitioned tables.</param>
/// <param name="Rows">Rows in the file.</param>
/// <param name="Bytes">Size of the file.</param>
/// <param name="Sha256">SHA-256 of the file, lowercase hexadecimal.</param>
/// <param name="RunId">The run that wrote the file.</param>
public sealed record ManifestFile(string Path, string? PartitionDate, long Rows, long Bytes, string Sha256, long RunId)
{
    /// <summary>The manifest entry of a recorded file.</summary>
    public static ManifestFile From(ExportFileRecord file) => new(
        file.Path, file.PartitionDate is { } date ? Manifest.Iso(date) : null, file.RowCount, file.ByteCount, file.Sha256, file.RunId);
}

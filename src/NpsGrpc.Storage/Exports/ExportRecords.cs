namespace NpsGrpc.Storage.Exports;

/// <summary>A stored export target.</summary>
public sealed record ExportTargetRecord
{
    /// <summary>Identifier.</summary>
    public required string TargetId { get; init; }

    /// <summary>Small integer that keys the target's advisory lock.</summary>
    public int LockId { get; init; }

    /// <summary>Human-readable name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>Absolute path of the destination directory.</summary>
    public required string Destination { get; init; }

    /// <summary>Exported surveys; empty means all.</summary>
    public required string[] SurveyIds { get; init; }

    /// <summary>Cron expression, or empty for on-demand only.</summary>
    public required string Schedule { get; init; }

    /// <summary>IANA time zone of the schedule and of the partition dates.</summary>
    public required string TimeZone { get; init; }

    /// <summary>Response attribute keys that split the daily NPS table.</summary>
    public required string[] SegmentKeys { get; init; }

    /// <summary>Rows per Parquet row group.</summary>
    public required int RowGroupRows { get; init; }

    /// <summary>Confidence level of the daily intervals.</summary>
    public required double ConfidenceLevel { get; init; }

    /// <summary>Whether the schedule is paused.</summary>
    public required bool Paused { get; init; }

    /// <summary>Load sequence covered by the last successful run, or -1.</summary>
    public long Watermark { get; init; } = -1;

    /// <summary>The latest scheduled slot claimed.</summary>
    public DateTime? LastSlot { get; init; }

    /// <summary>Creation time.</summary>
    public DateTime CreateTime { get; init; }

    /// <summary>Time of the last change.</summary>
    public DateTime UpdateTime { get; init; }
}

/// <summary>A stored export run.</summary>
public sealed record ExportRunRecord
{
    /// <summary>Run id.</summary>
    public long RunId { get; init; }

    /// <summary>Target id.</summary>
    public required string TargetId { get; init; }

    /// <summary>schedule or manual.</summary>
    public required string Trigger { get; init; }

    /// <summary>The scheduled slot, for scheduled runs.</summary>
    public DateTime? Slot { get; init; }

    /// <summary>First restated date, for restatements.</summary>
    public DateOnly? RestateFrom { get; init; }

    /// <summary>Last restated date, for restatements.</summary>
    public DateOnly? RestateTo { get; init; }

    /// <summary>queued, running, committed, succeeded or failed.</summary>
    public required string State { get; init; }

    /// <summary>Attempts started.</summary>
    public int Attempts { get; init; }

    /// <summary>Load sequence the run starts above.</summary>
    public long? LowMark { get; init; }

    /// <summary>Load sequence the run covers up to, inclusive.</summary>
    public long? HighMark { get; init; }

    /// <summary>Final paths the current attempt is publishing.</summary>
    public string[] PendingPaths { get; init; } = [];

    /// <summary>Fact rows written.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Files written.</summary>
    public int FilesWritten { get; init; }

    /// <summary>Bytes written.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Path of the published manifest.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Why the run failed.</summary>
    public string? Error { get; init; }

    /// <summary>The instance that ran the last attempt.</summary>
    public string? Instance { get; init; }

    /// <summary>When the run was queued.</summary>
    public DateTime QueueTime { get; init; }

    /// <summary>When the last attempt started.</summary>
    public DateTime? StartTime { get; init; }

    /// <summary>When the run ended.</summary>
    public DateTime? EndTime { get; init; }

    /// <summary>Whether the run restates a date range.</summary>
    public bool IsRestatement => RestateFrom is not null;
}

/// <summary>A published export file.</summary>
/// <param name="Table">Table name.</param>
/// <param name="Path">Path relative to the destination.</param>
/// <param name="PartitionDate">Partition of partitioned tables.</param>
/// <param name="RunId">Run that wrote it.</param>
/// <param name="RowCount">Rows.</param>
/// <param name="ByteCount">Size.</param>
/// <param name="Sha256">Checksum, lowercase hexadecimal.</param>
public sealed record ExportFileRecord(
    string Table, string Path, DateOnly? PartitionDate, long RunId, long RowCount, long ByteCount, string Sha256);

/// <summary>Counts behind one row of the daily NPS table.</summary>
/// <param name="Date">Local date.</param>
/// <param name="SurveyId">Survey.</param>
/// <param name="Segment">Values of the target's segment keys, null where absent.</param>
/// <param name="Responses">Responses.</param>
/// <param name="Promoters">Promoters.</param>
/// <param name="Passives">Passives.</param>
/// <param name="Detractors">Detractors.</param>
/// <param name="WeightSum">Sum of weights.</param>
/// <param name="PromoterWeight">Sum of promoters' weights.</param>
/// <param name="DetractorWeight">Sum of detractors' weights.</param>
/// <param name="WeightSquareSum">Sum of squared weights.</param>
public sealed record DailyCounts(
    DateOnly Date,
    string SurveyId,
    string?[] Segment,
    long Responses,
    long Promoters,
    long Passives,
    long Detractors,
    double WeightSum,
    double PromoterWeight,
    double DetractorWeight,
    double WeightSquareSum);

/// <summary>What a successful attempt records in one transaction.</summary>
/// <param name="RunId">The run.</param>
/// <param name="TargetId">Its target.</param>
/// <param name="NewWatermark">Load sequence the export now covers.</param>
/// <param name="Files">Files the attempt published.</param>
/// <param name="SupersededPaths">Live files the attempt replaces.</param>
/// <param name="Columns">Attribute columns per table, including new ones.</param>
/// <param name="Counts">Daily counts: added to the stored ones, or replacing the restated dates.</param>
/// <param name="ReplaceDates">Dates whose stored counts are replaced instead of added to.</param>
/// <param name="RowsWritten">Fact rows written.</param>
public sealed record ExportCommit(
    long RunId,
    string TargetId,
    long NewWatermark,
    IReadOnlyList<ExportFileRecord> Files,
    IReadOnlyList<string> SupersededPaths,
    IReadOnlyDictionary<string, IReadOnlyList<(string Key, string Column)>> Columns,
    IReadOnlyList<DailyCounts> Counts,
    IReadOnlyList<DateOnly> ReplaceDates,
    long RowsWritten);

namespace NpsGrpc.Benchmarks.Export;

/// <summary>Parameters of one export benchmark run.</summary>
/// <param name="Rows">Responses loaded and exported.</param>
/// <param name="CommentBytes">
/// Length in bytes of the comment given to every response, or 0 for the generator's short comments on about 30 % of
/// the responses.
/// </param>
/// <param name="Seed">Seed of the response generator; the same seed yields the same rows.</param>
/// <param name="KeepDatabase">Whether to leave the database in place at the end, for EXPLAIN and the like.</param>
/// <param name="ExistingDatabase">
/// A database that an earlier run kept, to export again without loading, or null to create and load a new one.
/// </param>
/// <param name="Rounds">
/// Pairs of an export run and a timed psql read-out, one after the other. The target is judged on the median ratio.
/// </param>
public sealed record ExportSettings(
    int Rows, int CommentBytes, int Seed, bool KeepDatabase, string? ExistingDatabase = null, int Rounds = 1)
{
    /// <summary>Responses per COPY batch of the load, each with its own load sequence value, as ingest batches have.</summary>
    public const int BatchSize = 5000;

    /// <summary>Connections that load batches concurrently.</summary>
    public const int LoadConnections = 2;

    /// <summary>Time zone of the export target, which sets the local dates the fact files are partitioned by.</summary>
    public const string TimeZone = "Europe/Berlin";

    /// <summary>Segment keys of the export target's daily NPS table.</summary>
    public static readonly string[] SegmentKeys = ["region"];

    /// <summary>
    /// The response attribute keys of the generated rows in the order the export reads them (sorted), so that the psql
    /// read-out selects the same values.
    /// </summary>
    public static readonly string[] AttributeKeys = ["channel", "plan", "region"];

    /// <summary>Interval of the memory and statement samples taken while the export runs.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Interval of the GetExportRun calls that wait for the run to end.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The product's target: the whole export takes at most this many times the psql read-out.</summary>
    public const double TargetRatio = 1.5;
}

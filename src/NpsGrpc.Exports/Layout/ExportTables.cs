using System.Globalization;

namespace NpsGrpc.Exports.Layout;

/// <summary>Names and paths of the star schema's tables inside a destination.</summary>
public static class ExportTables
{
    /// <summary>One row per response, partitioned by local date.</summary>
    public const string FactResponse = "fact_response";

    /// <summary>Counts, NPS and interval per local date, survey and segment, partitioned by local date.</summary>
    public const string DailyNps = "daily_nps";

    /// <summary>One row per customer who answered a target survey.</summary>
    public const string DimCustomer = "dim_customer";

    /// <summary>One row per exported survey.</summary>
    public const string DimSurvey = "dim_survey";

    /// <summary>One row per day over the covered dates.</summary>
    public const string DimDate = "dim_date";

    /// <summary>Name of the partition column and folder key of the partitioned tables.</summary>
    public const string PartitionColumn = "response_date";

    /// <summary>Folder of the manifests.</summary>
    public const string ManifestFolder = "_manifests";

    /// <summary>Folder of work in progress, one subfolder per run.</summary>
    public const string StagingFolder = "_staging";

    /// <summary>Version of the layout and manifest format, raised on any change a reader must know about.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Every table, in the order manifests list them.</summary>
    public static IReadOnlyList<string> All { get; } = [FactResponse, DailyNps, DimCustomer, DimSurvey, DimDate];

    /// <summary>
    /// Relative path of a data file: <c>table/[response_date=D/]part-RUN-ATTEMPT-SEQ.parquet</c>. The attempt keeps the
    /// names of a redone run apart from those of an attempt that may still be running on a stalled instance.
    /// </summary>
    public static string FilePath(string table, DateOnly? partition, long runId, int attempt, int sequence)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"part-{runId:D10}-{attempt:D2}-{sequence:D4}.parquet");
        return partition is { } date
            ? $"{table}/{PartitionColumn}={date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/{name}"
            : $"{table}/{name}";
    }

    /// <summary>Relative path of a run's manifest.</summary>
    public static string ManifestPath(long runId) =>
        string.Create(CultureInfo.InvariantCulture, $"{ManifestFolder}/run-{runId:D10}.json");

    /// <summary>Relative path of the copy of the newest manifest.</summary>
    public static string LatestManifestPath => $"{ManifestFolder}/latest.json";

    /// <summary>Relative path of the staging folder of one attempt of a run.</summary>
    public static string StagingPath(long runId, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{StagingFolder}/run-{runId:D10}-{attempt:D2}");
}

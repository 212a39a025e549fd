using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Commands;

/// <summary>Text and tables of export targets and runs for the 'nps exports' subcommands.</summary>
internal static class ExportText
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>Writes <paramref name="target"/> as one "name: value" line per field.</summary>
    public static void WriteTarget(TextWriter output, ExportTarget target)
    {
        output.WriteLine($"id: {target.TargetId}");
        output.WriteLine($"name: {target.DisplayName}");
        output.WriteLine($"destination: {target.Destination}");
        output.WriteLine($"surveys: {Surveys(target)}");
        output.WriteLine($"schedule: {Schedule(target)}");
        output.WriteLine($"time zone: {TimeZone(target)}");
        output.WriteLine($"segment keys: {(target.SegmentKeys.Count == 0 ? "none" : string.Join(", ", target.SegmentKeys))}");
        output.WriteLine($"row group rows: {RowGroupRows(target)}");
        output.WriteLine($"confidence level: {ConfidenceLevel(target)}");
        output.WriteLine($"paused: {(target.Paused ? "yes" : "no")}");
        output.WriteLine($"next run: {NextRun(target)}");
        output.WriteLine($"last successful run: {LastSuccess(target)}");
        output.WriteLine($"created: {Time(target.CreateTime)}");
        output.WriteLine($"updated: {Time(target.UpdateTime)}");
    }

    /// <summary>Builds a table with one row per target.</summary>
    public static Table BuildTargetsTable(IEnumerable<ExportTarget> targets)
    {
        var table = new Table().AddColumns(
            "id", "name", "schedule", "time zone", "paused", "next run", "last success", "destination");
        foreach (var target in targets)
        {
            string[] cells =
            [
                target.TargetId,
                target.DisplayName,
                target.Schedule.Length == 0 ? "on demand" : target.Schedule,
                TimeZone(target),
                target.Paused ? "yes" : "no",
                Time(target.NextRunTime),
                target.LastSuccessfulRun is { } run ? Time(run.EndTime) : NumberText.Missing,
                target.Destination,
            ];
            table.AddRow(cells.Select(cell => TerminalText.Cell(cell)));
        }

        return table;
    }

    /// <summary>Builds a table with one row per run, in the order given.</summary>
    public static Table BuildRunsTable(IEnumerable<ExportRun> runs)
    {
        var table = new Table();
        table.AddColumns(
            new TableColumn("id").RightAligned(),
            new TableColumn("trigger"),
            new TableColumn("state"),
            new TableColumn("slot"),
            new TableColumn("rows").RightAligned(),
            new TableColumn("files").RightAligned(),
            new TableColumn("bytes").RightAligned(),
            new TableColumn("duration").RightAligned(),
            new TableColumn("error"));
        foreach (var run in runs)
        {
            string[] cells =
            [
                NumberText.Integer(run.RunId),
                Trigger(run),
                State(run.State),
                Time(run.SlotTime),
                NumberText.Integer(run.RowsWritten),
                NumberText.Integer(run.FilesWritten),
                Bytes(run.BytesWritten),
                Duration(run),
                SingleLine(run.Error),
            ];
            table.AddRow(cells.Select(cell => TerminalText.Cell(cell)));
        }

        return table;
    }

    /// <summary>
    /// Returns a one-line summary of a finished run, such as "Run 42 of export target nightly succeeded: 1200 rows,
    /// 7 files, 1.5 MiB in 2.3 s; manifest _manifests/run-0000000042.json.".
    /// </summary>
    public static string Summary(ExportRun run)
    {
        string summary = $"Run {run.RunId} of export target {run.TargetId} {State(run.State)}: " +
            $"{NumberText.Integer(run.RowsWritten)} rows, {NumberText.Integer(run.FilesWritten)} files, " +
            $"{Bytes(run.BytesWritten)} in {Duration(run)}";
        return run.ManifestPath.Length > 0 ? $"{summary}; manifest {run.ManifestPath}." : summary + ".";
    }

    /// <summary>Returns the state of a run in lowercase words, such as "succeeded".</summary>
    public static string State(ExportRunState state) => state switch
    {
        ExportRunState.Queued => "queued",
        ExportRunState.Running => "running",
        ExportRunState.Succeeded => "succeeded",
        ExportRunState.Failed => "failed",
        _ => "unspecified",
    };

    /// <summary>Formats <paramref name="time"/> as UTC ISO 8601, or a dash when it is unset.</summary>
    public static string Time(Timestamp? time) =>
        time?.ToDateTime().ToString(TimeFormat, CultureInfo.InvariantCulture) ?? NumberText.Missing;

    private static string Surveys(ExportTarget target) =>
        target.SurveyIds.Count == 0
            ? "all, including surveys created later"
            : string.Join(", ", target.SurveyIds);

    private static string Schedule(ExportTarget target) =>
        target.Schedule.Length == 0 ? "none (runs only on demand)" : target.Schedule;

    private static string TimeZone(ExportTarget target) =>
        target.TimeZone.Length == 0 ? "UTC" : target.TimeZone;

    private static string RowGroupRows(ExportTarget target) =>
        target.RowGroupRows == 0
            ? $"{NumberText.Integer(ExportOptions.DefaultRowGroupRows)} (default)"
            : NumberText.Integer(target.RowGroupRows);

    private static string ConfidenceLevel(ExportTarget target) =>
        target.ConfidenceLevel == 0
            ? $"{ExportOptions.DefaultConfidenceLevel.ToString(CultureInfo.InvariantCulture)} (default)"
            : target.ConfidenceLevel.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Returns the next scheduled slot of <paramref name="target"/>, or the reason it has none. The server leaves
    /// next_run_time unset for a paused target and for one without a schedule.
    /// </summary>
    public static string NextRun(ExportTarget target)
    {
        if (target.NextRunTime is { } next)
        {
            return Time(next);
        }

        if (target.Schedule.Length == 0)
        {
            return "none (no schedule)";
        }

        return target.Paused ? "none (paused)" : NumberText.Missing;
    }

    private static string LastSuccess(ExportTarget target)
    {
        if (target.LastSuccessfulRun is not { } run)
        {
            return "none";
        }

        return $"{run.RunId}, ended {Time(run.EndTime)}, {NumberText.Integer(run.RowsWritten)} rows";
    }

    private static string Trigger(ExportRun run)
    {
        string trigger = run.Trigger switch
        {
            ExportTrigger.Schedule => "schedule",
            ExportTrigger.Manual => "manual",
            _ => "unspecified",
        };
        return run.RestateFrom.Length > 0
            ? $"{trigger}, restate {run.RestateFrom} to {run.RestateTo}"
            : trigger;
    }

    // A run that has not ended has no duration yet.
    private static string Duration(ExportRun run)
    {
        if (run.StartTime is null || run.EndTime is null)
        {
            return NumberText.Missing;
        }

        TimeSpan duration = run.EndTime.ToDateTime() - run.StartTime.ToDateTime();
        if (duration < TimeSpan.FromMinutes(1))
        {
            return duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        }

        if (duration < TimeSpan.FromHours(1))
        {
            return $"{duration.Minutes} min {duration.Seconds:00} s";
        }

        return $"{(int)duration.TotalHours} h {duration.Minutes:00} min";
    }

    // Binary units, with one decimal above 1 KiB, such as 812 B or 1.5 MiB.
    private static string Bytes(long bytes)
    {
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        if (bytes < 1024)
        {
            return $"{NumberText.Integer(bytes)} B";
        }

        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return NumberText.OneDecimal(value) + " " + units[unit];
    }

    // Keeps a multi-line error message in one table row.
    private static string SingleLine(string text) =>
        text.ReplaceLineEndings(" ");
}

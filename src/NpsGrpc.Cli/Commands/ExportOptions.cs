using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NpsGrpc.Cli.Commands;

/// <summary>Arguments, options and checks shared by the 'nps exports' subcommands.</summary>
internal static class ExportOptions
{
    /// <summary>Smallest nonzero rows per Parquet row group that the API accepts.</summary>
    public const int MinRowGroupRows = 1_000;

    /// <summary>Largest rows per Parquet row group that the API accepts.</summary>
    public const int MaxRowGroupRows = 1_048_576;

    /// <summary>Rows per row group that the server uses when a target leaves row_group_rows at 0.</summary>
    public const int DefaultRowGroupRows = 122_880;

    /// <summary>Confidence level that the server uses when a target leaves confidence_level at 0.</summary>
    public const double DefaultConfidenceLevel = 0.95;

    /// <summary>Maximum number of segment keys of a target.</summary>
    public const int MaxSegmentKeys = 5;

    /// <summary>Format of the restatement dates of RunExport.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Creates the TARGET_ID argument.</summary>
    public static Argument<string> TargetIdArgument() => new("TARGET_ID") { Description = "Id of the export target." };

    /// <summary>Creates the --json option.</summary>
    public static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print the server's response as JSON (protobuf JSON mapping) instead of text.",
    };

    /// <summary>Creates the --schedule option.</summary>
    public static Option<string?> ScheduleOption(string description) => new("--schedule")
    {
        Description = "Cron expression of the schedule, evaluated in the target's time zone: five fields (minute " +
            "hour day-of-month month day-of-week) or six with seconds first, such as \"0 2 * * *\" for 02:00 " +
            "every day. " + description,
        HelpName = "CRON",
    };

    /// <summary>Creates the --display-name option.</summary>
    public static Option<string?> DisplayNameOption() => new("--display-name")
    {
        Description = "Human-readable name of the target, at most 200 characters.",
        HelpName = "TEXT",
    };

    /// <summary>Creates the --row-group-rows option, which accepts 0 or a value in the API's range.</summary>
    public static Option<int> RowGroupRowsOption()
    {
        var option = new Option<int>("--row-group-rows")
        {
            Description = $"Rows per Parquet row group, from {MinRowGroupRows} to {MaxRowGroupRows}; 0 means the " +
                $"server's default of {DefaultRowGroupRows}. A row group also ends early when its text reaches " +
                "64 MiB.",
            HelpName = "N",
        };
        option.Validators.Add(result =>
        {
            int rows = result.GetValueOrDefault<int>();
            if (rows != 0 && rows is < MinRowGroupRows or > MaxRowGroupRows)
            {
                result.AddError(
                    $"--row-group-rows is {rows}; it must be 0 (the default) or from {MinRowGroupRows} to " +
                    $"{MaxRowGroupRows}.");
            }
        });
        return option;
    }

    /// <summary>Creates the --confidence-level option, which accepts a level strictly between 0 and 1.</summary>
    public static Option<double> ConfidenceLevelOption()
    {
        var option = new Option<double>("--confidence-level")
        {
            Description = "Confidence level of the intervals in the daily_nps table, strictly between 0 and 1 " +
                $"(server default {DefaultConfidenceLevel.ToString(CultureInfo.InvariantCulture)}).",
            HelpName = "LEVEL",
        };
        option.Validators.Add(result =>
        {
            double level = result.GetValueOrDefault<double>();
            if (!(level > 0 && level < 1))
            {
                result.AddError(
                    $"--confidence-level is {level.ToString(CultureInfo.InvariantCulture)}; it must be strictly " +
                    "between 0 and 1, such as 0.95.");
            }
        });
        return option;
    }

    /// <summary>
    /// Creates a restatement date option that accepts only a calendar date written as YYYY-MM-DD.
    /// </summary>
    public static Option<string?> DateOption(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "YYYY-MM-DD" };
        option.Validators.Add(result =>
        {
            string? text = result.GetValueOrDefault<string?>();
            if (text is not null && ParseDate(text) is null)
            {
                result.AddError($"{name} '{text}' is not a date in the form YYYY-MM-DD, such as 2026-03-01.");
            }
        });
        return option;
    }

    /// <summary>Returns the date of <paramref name="text"/> in the form YYYY-MM-DD, or null when it is not one.</summary>
    public static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : null;
}

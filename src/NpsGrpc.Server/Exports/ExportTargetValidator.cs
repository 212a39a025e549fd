using System.Globalization;
using NpsGrpc.Domain.Time;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Exports.Scheduling;
using NpsGrpc.Server.Errors;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Exports;

/// <summary>Checks export target fields and fills defaults, throwing INVALID_ARGUMENT naming the field.</summary>
public static class ExportTargetValidator
{
    /// <summary>Rows per row group when none is given; 120 Ki rows, a common writer default.</summary>
    public const int DefaultRowGroupRows = 122_880;

    /// <summary>Fewest rows per row group.</summary>
    public const int MinRowGroupRows = 1_000;

    /// <summary>Most rows per row group.</summary>
    public const int MaxRowGroupRows = 1_048_576;

    /// <summary>Most segment keys of the daily table.</summary>
    public const int MaxSegmentKeys = 5;

    /// <summary>Most surveys a target lists.</summary>
    public const int MaxSurveys = 100;

    /// <summary>Longest destination path.</summary>
    public const int MaxDestinationLength = 1000;

    private const int MaxDisplayNameLength = 200;

    /// <summary>Checks a target id.</summary>
    public static void CheckTargetId(string targetId, string field = "target_id")
    {
        if (!Identifiers.IsSurveyId(targetId))
        {
            RpcErrors.ThrowInvalidArgument(
                field,
                $"{field} '{Identifiers.Shorten(targetId)}' is not valid: use 1 to 63 lowercase letters, digits and hyphens, " +
                "starting with a letter or digit");
        }
    }

    /// <summary>Checks a display name.</summary>
    public static void CheckDisplayName(string displayName, string field)
    {
        if (Identifiers.CheckName(displayName, MaxDisplayNameLength) is { } problem)
        {
            RpcErrors.ThrowInvalidArgument(field, $"{field} {problem}");
        }
    }

    /// <summary>Checks a destination: an absolute path the server can create.</summary>
    public static string CheckDestination(string destination, string field)
    {
        if (destination.Length == 0)
        {
            RpcErrors.ThrowInvalidArgument(field, $"{field} is required: an absolute directory path on the server");
        }

        if (destination.Length > MaxDestinationLength || destination.Any(char.IsControl) || !Path.IsPathFullyQualified(destination))
        {
            RpcErrors.ThrowInvalidArgument(
                field, $"{field} '{Identifiers.Shorten(destination)}' is not an absolute path of at most {MaxDestinationLength} characters");
        }

        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        if (Path.GetPathRoot(full) == full)
        {
            RpcErrors.ThrowInvalidArgument(field, $"{field} '{full}' is the root of the file system; name a directory for the export");
        }

        try
        {
            Directory.CreateDirectory(full);
            return RealPath(full);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw RpcErrors.InvalidArgument(field, $"{field} '{Identifiers.Shorten(full)}' cannot be created: {exception.Message}");
        }
    }

    // Follows symbolic links in every component, so two spellings of one directory compare equal.
    private static string RealPath(string path)
    {
        string root = Path.GetPathRoot(path)!;
        string current = root;
        foreach (string part in path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (new DirectoryInfo(current).ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                current = RealPath(Path.GetFullPath(target.FullName));
            }
        }

        return current;
    }

    /// <summary>Resolves a time zone, empty meaning UTC.</summary>
    public static (string Id, TimeZoneInfo Zone) CheckTimeZone(string timeZone, string field)
    {
        string id = timeZone.Length == 0 ? "UTC" : timeZone;
        try
        {
            var zone = TimeBuckets.FindZone(id);

            // Readers such as Java's ZoneId want the canonical spelling, so "europe/berlin" is stored as "Europe/Berlin".
            string canonical = TimeZoneInfo.GetSystemTimeZones().FirstOrDefault(z => string.Equals(z.Id, id, StringComparison.OrdinalIgnoreCase))?.Id ?? id;
            return (canonical, zone);
        }
        catch (TimeZoneNotFoundException)
        {
            throw RpcErrors.InvalidArgument(
                field, $"{field} '{Identifiers.Shorten(timeZone)}' is not an IANA time zone such as Europe/Berlin or UTC");
        }
    }

    /// <summary>Checks a cron expression in <paramref name="zone"/>; empty means on demand only.</summary>
    public static string CheckSchedule(string schedule, TimeZoneInfo zone, string field)
    {
        string trimmed = schedule.Trim();
        if (trimmed.Length == 0)
        {
            return trimmed;
        }

        var parsed = ExportSchedule.TryParse(trimmed, zone, out string? error)
            ?? throw RpcErrors.InvalidArgument(field, $"{field} '{Identifiers.Shorten(schedule)}' is not a cron expression: {error}");
        if (parsed.NextSlot(DateTime.UtcNow) is null)
        {
            RpcErrors.ThrowInvalidArgument(field, $"{field} '{Identifiers.Shorten(schedule)}' never fires, for example a day that no month has");
        }

        return trimmed;
    }

    /// <summary>Checks the rows per row group, 0 meaning the default.</summary>
    public static int CheckRowGroupRows(int rows, string field)
    {
        if (rows == 0)
        {
            return DefaultRowGroupRows;
        }

        if (rows is < MinRowGroupRows or > MaxRowGroupRows)
        {
            RpcErrors.ThrowInvalidArgument(
                field, $"{field} {rows} is outside {MinRowGroupRows} to {MaxRowGroupRows}; use 0 for {DefaultRowGroupRows}");
        }

        return rows;
    }

    /// <summary>Checks a confidence level, 0 meaning 0.95.</summary>
    public static double CheckConfidenceLevel(double level, string field)
    {
        if (level == 0)
        {
            return 0.95;
        }

        if (!(level > 0 && level < 1))
        {
            RpcErrors.ThrowInvalidArgument(
                field, string.Create(CultureInfo.InvariantCulture, $"{field} {level} is not between 0 and 1 (exclusive)"));
        }

        return level;
    }

    /// <summary>Checks the segment keys.</summary>
    public static string[] CheckSegmentKeys(IReadOnlyList<string> keys, string field)
    {
        if (keys.Count > MaxSegmentKeys)
        {
            RpcErrors.ThrowInvalidArgument(field, $"{field} has {keys.Count} keys; at most {MaxSegmentKeys} are allowed");
        }

        for (int i = 0; i < keys.Count; i++)
        {
            if (!Identifiers.IsAttributeKey(keys[i]))
            {
                RpcErrors.ThrowInvalidArgument(
                    $"{field}[{i}]", $"{field}[{i}] '{Identifiers.Shorten(keys[i])}' is not an attribute key (a letter, then letters, digits or underscores)");
            }

            if (keys.Take(i).Contains(keys[i], StringComparer.Ordinal))
            {
                RpcErrors.ThrowInvalidArgument($"{field}[{i}]", $"{field}[{i}] '{keys[i]}' is a duplicate; list each key once");
            }
        }

        return keys.ToArray();
    }

    /// <summary>Checks the survey ids' form; existence is checked against the database by the caller.</summary>
    public static string[] CheckSurveyIds(IReadOnlyList<string> surveyIds, string field)
    {
        if (surveyIds.Count > MaxSurveys)
        {
            RpcErrors.ThrowInvalidArgument(field, $"{field} has {surveyIds.Count} surveys; at most {MaxSurveys} are allowed");
        }

        for (int i = 0; i < surveyIds.Count; i++)
        {
            if (!Identifiers.IsSurveyId(surveyIds[i]))
            {
                RpcErrors.ThrowInvalidArgument($"{field}[{i}]", $"{field}[{i}] '{Identifiers.Shorten(surveyIds[i])}' is not a valid survey id: use 1 to 63 lowercase letters, digits and hyphens");
            }

            if (surveyIds.Take(i).Contains(surveyIds[i], StringComparer.Ordinal))
            {
                RpcErrors.ThrowInvalidArgument($"{field}[{i}]", $"{field}[{i}] '{surveyIds[i]}' is a duplicate; list each survey once");
            }
        }

        return surveyIds.ToArray();
    }

    /// <summary>Parses an optional YYYY-MM-DD date.</summary>
    public static DateOnly? ParseDate(string text, string field)
    {
        if (text.Length == 0)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw RpcErrors.InvalidArgument(field, $"{field} '{Identifiers.Shorten(text)}' is not a date in the form YYYY-MM-DD");
    }
}

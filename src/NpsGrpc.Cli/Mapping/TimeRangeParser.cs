namespace NpsGrpc.Cli.Mapping;

/// <summary>A half-open range of UTC instants.</summary>
/// <param name="Start">Inclusive start.</param>
/// <param name="End">Exclusive end.</param>
internal sealed record InstantRange(DateTime Start, DateTime End);

/// <summary>
/// Parses a time range given as FROM..TO (two ISO 8601 instants, TO exclusive) or as a calendar shortcut such as
/// this-month, in a time zone.
/// </summary>
internal sealed class TimeRangeParser(TimeZoneInfo timeZone)
{
    /// <summary>The shortcuts, in the order the help text lists them.</summary>
    public static readonly IReadOnlyList<string> Shortcuts =
    [
        "today", "yesterday", "this-week", "last-week", "this-month", "last-month", "this-quarter", "last-quarter",
        "this-year", "last-year",
    ];

    private const string Separator = "..";

    private readonly InstantParser _instants = new(null, timeZone);

    /// <summary>
    /// Returns the range that <paramref name="text"/> names, or null with <paramref name="error"/> set. Shortcuts
    /// name whole local calendar periods, and weeks start on Monday. For example, this-month is the calendar month
    /// that contains <paramref name="utcNow"/>, including the part still to come, and last-month the one before it.
    /// </summary>
    public InstantRange? TryParse(string text, DateTime utcNow, out string? error)
    {
        string trimmed = text.Trim();
        if (TryParseShortcut(trimmed, utcNow) is { } shortcut)
        {
            error = null;
            return shortcut;
        }

        int separator = trimmed.IndexOf(Separator, StringComparison.Ordinal);
        if (separator < 0 || trimmed.IndexOf(Separator, separator + 1, StringComparison.Ordinal) >= 0)
        {
            error = $"'{trimmed}' is not a time range; write FROM..TO with ISO 8601 dates or date-times, such as " +
                $"2026-03-01..2026-04-01, or one of {string.Join(", ", Shortcuts)}";
            return null;
        }

        DateTime? start = _instants.TryParse(trimmed[..separator], out error);
        if (start is null)
        {
            error = $"has an invalid start: {error}";
            return null;
        }

        DateTime? end = _instants.TryParse(trimmed[(separator + Separator.Length)..], out error);
        if (end is null)
        {
            error = $"has an invalid end: {error}";
            return null;
        }

        if (end <= start)
        {
            error = $"'{trimmed}' ends before it starts or at the same instant; the end is exclusive, so " +
                "2026-03-01..2026-04-01 is March";
            return null;
        }

        return new InstantRange(start.Value, end.Value);
    }

    private InstantRange? TryParseShortcut(string text, DateTime utcNow)
    {
        DateOnly today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utcNow, timeZone));
        DateOnly thisWeek = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var thisMonth = new DateOnly(today.Year, today.Month, 1);
        var thisQuarter = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        var thisYear = new DateOnly(today.Year, 1, 1);
        (DateOnly Start, DateOnly End)? dates = text switch
        {
            "today" => (today, today.AddDays(1)),
            "yesterday" => (today.AddDays(-1), today),
            "this-week" => (thisWeek, thisWeek.AddDays(7)),
            "last-week" => (thisWeek.AddDays(-7), thisWeek),
            "this-month" => (thisMonth, thisMonth.AddMonths(1)),
            "last-month" => (thisMonth.AddMonths(-1), thisMonth),
            "this-quarter" => (thisQuarter, thisQuarter.AddMonths(3)),
            "last-quarter" => (thisQuarter.AddMonths(-3), thisQuarter),
            "this-year" => (thisYear, thisYear.AddYears(1)),
            "last-year" => (thisYear.AddYears(-1), thisYear),
            _ => null,
        };

        if (dates is not { } range)
        {
            return null;
        }

        return new InstantRange(
            InstantParser.StartOfLocalDate(range.Start, timeZone),
            InstantParser.StartOfLocalDate(range.End, timeZone));
    }
}

using Cronos;

namespace NpsGrpc.Exports.Scheduling;

/// <summary>
/// A cron schedule evaluated in an IANA time zone. Five fields (minute to day of week) or six with seconds first.
/// A local time that a daylight-saving change skips fires at the first instant after the gap. A local time that occurs
/// twice fires once, at its first occurrence.
/// </summary>
public sealed class ExportSchedule
{
    private readonly CronExpression _expression;

    private ExportSchedule(string text, CronExpression expression, TimeZoneInfo zone)
    {
        Text = text;
        _expression = expression;
        Zone = zone;
    }

    /// <summary>The expression as given.</summary>
    public string Text { get; }

    /// <summary>The time zone the expression is evaluated in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Parses <paramref name="text"/>, returning null with a reason when it is not a cron expression.</summary>
    public static ExportSchedule? TryParse(string text, TimeZoneInfo zone, out string? error)
    {
        string trimmed = text.Trim();
        int fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            error = $"has {fields} fields; a cron expression has 5 (minute hour day-of-month month day-of-week) " +
                    "or 6 with seconds first";
            return null;
        }

        try
        {
            var expression = CronExpression.Parse(trimmed, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            error = null;
            return new ExportSchedule(trimmed, expression, zone);
        }
        catch (CronFormatException exception)
        {
            error = exception.Message;
            return null;
        }
    }

    /// <summary>The first slot strictly after <paramref name="afterUtc"/>, or null when the expression never fires again.</summary>
    public DateTime? NextSlot(DateTime afterUtc) =>
        _expression.GetNextOccurrence(DateTime.SpecifyKind(afterUtc, DateTimeKind.Utc), Zone, inclusive: false);

    /// <summary>
    /// The latest slot after <paramref name="afterUtc"/> that is not later than <paramref name="nowUtc"/>, or null when
    /// none is due. Slots missed while no server ran collapse into this one.
    /// </summary>
    public DateTime? LatestDueSlot(DateTime afterUtc, DateTime nowUtc)
    {
        DateTime? first = NextSlot(afterUtc);
        if (first is not { } due || due > nowUtc)
        {
            return null;
        }

        // Walks back from now instead of forward from a possibly old slot, so a long outage costs one step.
        DateTime? latest = _expression.GetPreviousOccurrence(DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc), Zone, inclusive: true);
        return latest is { } previous && previous > due ? previous : due;
    }
}

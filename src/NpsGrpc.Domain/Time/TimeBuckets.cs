using System.Globalization;

namespace NpsGrpc.Domain.Time;

/// <summary>
/// Calendar arithmetic for time buckets in an IANA time zone. A bucket is identified by the local date it starts on;
/// its instants run from local midnight of that date to local midnight of the next bucket's first date.
/// </summary>
public static class TimeBuckets
{
    /// <summary>Finds an IANA time zone such as "Europe/Berlin" or "Asia/Kolkata".</summary>
    /// <exception cref="TimeZoneNotFoundException">
    /// The id is unknown to the system's time zone database, or is a Windows id. .NET maps Windows ids such as
    /// "UTC+12" to IANA zones, but PostgreSQL reads such strings as POSIX offsets with the opposite sign, so only
    /// IANA ids are accepted.
    /// </exception>
    public static TimeZoneInfo FindZone(string ianaId)
    {
        if (ianaId.Length == 0 || !ianaId.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+'))
        {
            throw new TimeZoneNotFoundException($"'{ianaId}' is not an IANA time zone id.");
        }

        if (TimeZoneInfo.TryConvertWindowsIdToIanaId(ianaId, out string? iana) && !TimeZoneInfo.TryConvertIanaIdToWindowsId(ianaId, out _))
        {
            throw new TimeZoneNotFoundException($"'{ianaId}' is a Windows time zone id; use the IANA id {iana}.");
        }

        return TimeZoneInfo.FindSystemTimeZoneById(ianaId);
    }

    /// <summary>Returns the local calendar date of a UTC instant in <paramref name="zone"/>.</summary>
    public static DateOnly LocalDate(DateTime utcInstant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utcInstant, DateTimeKind.Utc), zone));

    /// <summary>Returns the first local date of the bucket that contains <paramref name="date"/>.</summary>
    public static DateOnly BucketStart(DateOnly date, BucketWidth width) => width switch
    {
        BucketWidth.Day => date,
        BucketWidth.IsoWeek => date.AddDays(-(((int)date.DayOfWeek + 6) % 7)),
        BucketWidth.Month => new DateOnly(date.Year, date.Month, 1),
        BucketWidth.Quarter => new DateOnly(date.Year, (date.Month - 1) / 3 * 3 + 1, 1),
        BucketWidth.Year => new DateOnly(date.Year, 1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "Unknown bucket width."),
    };

    /// <summary>Returns the first local date of the bucket after the one starting on <paramref name="start"/>.</summary>
    public static DateOnly NextBucketStart(DateOnly start, BucketWidth width) => width switch
    {
        BucketWidth.Day => start.AddDays(1),
        BucketWidth.IsoWeek => start.AddDays(7),
        BucketWidth.Month => start.AddMonths(1),
        BucketWidth.Quarter => start.AddMonths(3),
        BucketWidth.Year => start.AddYears(1),
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "Unknown bucket width."),
    };

    /// <summary>
    /// Returns the label of the bucket starting on <paramref name="start"/>: 2026-03-29, 2026-W13 (ISO week and ISO
    /// year), 2026-03, 2026-Q1 or 2026.
    /// </summary>
    public static string Label(DateOnly start, BucketWidth width)
    {
        var date = start.ToDateTime(TimeOnly.MinValue);
        return width switch
        {
            BucketWidth.Day => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            BucketWidth.IsoWeek => string.Create(
                CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(date):D4}-W{ISOWeek.GetWeekOfYear(date):D2}"),
            BucketWidth.Month => start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            BucketWidth.Quarter => string.Create(CultureInfo.InvariantCulture, $"{start.Year:D4}-Q{(start.Month - 1) / 3 + 1}"),
            BucketWidth.Year => start.Year.ToString("D4", CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(width), width, "Unknown bucket width."),
        };
    }

    /// <summary>
    /// Returns the UTC instant at which local date <paramref name="date"/> begins in <paramref name="zone"/>. Where a
    /// daylight-saving change skips midnight, the day begins at the first local time that exists.
    /// </summary>
    public static DateTime StartOfLocalDateUtc(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        // An ambiguous midnight (clocks set back over it) begins at its first occurrence, the larger offset.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }
}

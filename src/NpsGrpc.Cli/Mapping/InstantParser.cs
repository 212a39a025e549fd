using System.Globalization;

namespace NpsGrpc.Cli.Mapping;

/// <summary>
/// Parses date-and-time text into a UTC instant. Text with an offset or 'Z' is exact; text without one is a
/// wall-clock time in <see cref="TimeZone"/>. Without a custom format the text must be ISO 8601:
/// yyyy-MM-dd, then optionally 'T' or a space, HH:mm, :ss and a fraction of up to 7 digits, then an optional
/// offset such as Z, +02:00 or -0500. An ISO date without a time is the start of that day in the time zone.
/// </summary>
internal sealed class InstantParser
{
    private const string IsoDateFormat = "yyyy-MM-dd";

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mmK",
        IsoDateFormat,
    ];

    private readonly string[] _formats;

    /// <summary>
    /// Creates a parser for <paramref name="format"/> (ISO 8601 when null) in <paramref name="timeZone"/>.
    /// </summary>
    public InstantParser(string? format, TimeZoneInfo timeZone)
    {
        Format = format;
        TimeZone = timeZone;
        _formats = format is null ? IsoFormats : [format];
    }

    /// <summary>The .NET custom date and time format, or null for ISO 8601.</summary>
    public string? Format { get; }

    /// <summary>Time zone of text that has no offset.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>
    /// Returns the UTC instant of <paramref name="text"/> (surrounding spaces ignored), or null with
    /// <paramref name="error"/> set when the text does not match or names a wall-clock time that does not exist
    /// in the time zone.
    /// </summary>
    public DateTime? TryParse(string text, out string? error)
    {
        string trimmed = text.Trim();
        var culture = CultureInfo.InvariantCulture;
        if (!DateTime.TryParseExact(trimmed, _formats, culture, DateTimeStyles.RoundtripKind, out DateTime parsed))
        {
            error = Format is null
                ? $"'{trimmed}' is not an ISO 8601 date and time such as 2024-03-01T14:30:00Z"
                : $"'{trimmed}' does not match the format '{Format}'";
            return null;
        }

        error = null;
        if (Format is null && DateOnly.TryParseExact(trimmed, IsoDateFormat, culture, DateTimeStyles.None, out var date))
        {
            return StartOfLocalDate(date, TimeZone);
        }

        if (parsed.Kind != DateTimeKind.Unspecified)
        {
            // The text has an offset. DateTime converted it to this machine's local time, so parse it again as a
            // DateTimeOffset to keep the exact instant.
            return DateTimeOffset.ParseExact(trimmed, _formats, culture, DateTimeStyles.None).UtcDateTime;
        }

        if (TimeZone.IsInvalidTime(parsed))
        {
            error = $"'{trimmed}' does not exist in time zone {TimeZone.Id} (it falls in a daylight saving time gap)";
            return null;
        }

        // NOTE: a wall-clock time that occurs twice (when clocks go back) is read as standard time.
        return TimeZoneInfo.ConvertTimeToUtc(parsed, TimeZone);
    }

    /// <summary>
    /// Returns the UTC instant at which <paramref name="date"/> begins in <paramref name="timeZone"/>: local midnight,
    /// or the first whole minute that exists when a daylight saving time change skips midnight. A midnight that occurs
    /// twice begins at its first occurrence.
    /// </summary>
    public static DateTime StartOfLocalDate(DateOnly date, TimeZoneInfo timeZone)
    {
        DateTime local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (timeZone.IsInvalidTime(local))
        {
            // Steps to the first whole minute after the gap.
            local = local.AddMinutes(1);
        }

        TimeSpan offset = timeZone.IsAmbiguousTime(local)
            ? timeZone.GetAmbiguousTimeOffsets(local).Max()
            : timeZone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    /// <summary>
    /// Returns the IANA id of <paramref name="timeZone"/>, which the server requires, converting a Windows id such as
    /// "W. Europe Standard Time" when the system has an IANA equivalent for it.
    /// </summary>
    public static string IanaId(TimeZoneInfo timeZone)
    {
        if (timeZone.HasIanaId)
        {
            return timeZone.Id;
        }

        return TimeZoneInfo.TryConvertWindowsIdToIanaId(timeZone.Id, out string? ianaId) ? ianaId : timeZone.Id;
    }

    /// <summary>Finds a time zone by IANA id, such as Europe/Berlin; throws <see cref="UsageException"/>.</summary>
    public static TimeZoneInfo FindTimeZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new UsageException(
                $"Time zone '{id}' is not known on this machine; give an IANA id such as UTC or Europe/Berlin.");
        }
    }

    /// <summary>
    /// Checks that <paramref name="format"/> is a usable custom format; throws <see cref="UsageException"/>.
    /// </summary>
    public static void CheckFormat(string format)
    {
        try
        {
            var sample = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Unspecified);
            _ = sample.ToString(format, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            throw new UsageException(
                $"Timestamp format '{format}' is not a valid .NET custom date and time format, such as " +
                "M/d/yyyy H:mm:ss.");
        }
    }
}

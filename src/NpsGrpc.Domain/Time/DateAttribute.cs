using System.Globalization;

namespace NpsGrpc.Domain.Time;

/// <summary>Reads a date from an attribute value, such as a customer's sign-up date.</summary>
public static class DateAttribute
{
    /// <summary>Earliest year accepted; earlier years are treated as data errors.</summary>
    public const int MinYear = 1900;

    /// <summary>Latest year accepted; later years are treated as data errors.</summary>
    public const int MaxYear = 2999;

    private static readonly string[] OffsetFormats =
    [
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
    ];

    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss",
    ];

    /// <summary>
    /// Parses an ISO 8601 date (2020-07-06) or date-time. A date-time with a UTC offset or Z is converted to the
    /// local date in <paramref name="zone"/>; one without an offset keeps the date as written. Returns null for any
    /// other text, for an impossible date such as 2020-02-30, and for years outside <see cref="MinYear"/> to
    /// <see cref="MaxYear"/>.
    /// </summary>
    public static DateOnly? Parse(string value, TimeZoneInfo zone)
    {
        DateOnly date;
        if (DateTimeOffset.TryParseExact(
                value, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            date = TimeBuckets.LocalDate(instant.UtcDateTime, zone);
        }
        else if (DateTime.TryParseExact(value, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            date = DateOnly.FromDateTime(local);
        }
        else
        {
            return null;
        }

        return date.Year is >= MinYear and <= MaxYear ? date : null;
    }
}

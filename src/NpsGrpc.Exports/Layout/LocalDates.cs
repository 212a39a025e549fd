namespace NpsGrpc.Exports.Layout;

/// <summary>
/// Converts UTC instants to local dates in one time zone. It remembers the UTC bounds of the last date it returned, so
/// rows that arrive roughly in time order cost a comparison instead of a time zone conversion.
/// </summary>
public sealed class LocalDates(TimeZoneInfo zone)
{
    private DateTime _start = DateTime.MaxValue;
    private DateTime _end = DateTime.MinValue;
    private DateOnly _date;

    /// <summary>The local date of <paramref name="utc"/>.</summary>
    public DateOnly DateOf(DateTime utc)
    {
        if (utc >= _start && utc < _end)
        {
            return _date;
        }

        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        _date = DateOnly.FromDateTime(local);
        (_start, _end) = UtcBounds(_date);
        return _date;
    }

    /// <summary>
    /// The UTC instants where <paramref name="date"/> starts and the next date starts. A local midnight that a
    /// daylight-saving change skips starts the date at the first instant after the gap.
    /// </summary>
    public (DateTime Start, DateTime End) UtcBounds(DateOnly date) => (StartOf(date), StartOf(date.AddDays(1)));

    private DateTime StartOf(DateOnly date)
    {
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // Offsets change on whole minutes, so the first valid local minute of the day is where it starts.
        var local = midnight;
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        // An ambiguous midnight (a fall-back change at 00:00) starts at its first occurrence, the larger offset.
        TimeSpan offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }
}

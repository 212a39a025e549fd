namespace NpsGrpc.Exports.Layout;

/// <summary>
/// Converts UTC instants to local dates in one time zone. It caches the UTC offset per 15-minute slot of UTC time in
/// which the offset does not change, so rows in any order cost a dictionary lookup instead of a time zone conversion.
/// </summary>
public sealed class LocalDates(TimeZoneInfo zone)
{
    private static readonly long SlotTicks = TimeSpan.FromMinutes(15).Ticks;
    private readonly Dictionary<long, TimeSpan> _offsets = [];
    private long _lastSlot = long.MinValue;
    private TimeSpan _lastOffset;

    /// <summary>The local date of <paramref name="utc"/>.</summary>
    public DateOnly DateOf(DateTime utc)
    {
        long slot = utc.Ticks / SlotTicks;
        if (slot != _lastSlot)
        {
            if (!TryCachedOffset(slot, out var offset))
            {
                // The offset changes inside this slot: convert exactly, without caching.
                return DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));
            }

            (_lastSlot, _lastOffset) = (slot, offset);
        }

        return DateOnly.FromDateTime(utc + _lastOffset);
    }

    private bool TryCachedOffset(long slot, out TimeSpan offset)
    {
        if (_offsets.TryGetValue(slot, out offset))
        {
            return true;
        }

        // NOTE: this assumes no zone changes its offset twice within 15 minutes, which is true of the IANA data this
        // code was checked with. Equal offsets at both ends then mean one offset for the whole slot.
        var start = new DateTime(slot * SlotTicks, DateTimeKind.Utc);
        offset = zone.GetUtcOffset(start);
        if (zone.GetUtcOffset(start.AddTicks(SlotTicks - 1)) != offset)
        {
            return false;
        }

        _offsets[slot] = offset;
        return true;
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

namespace NpsGrpc.Storage.Queries;

/// <summary>
/// Splits time intervals into whole UTC months (read from the monthly rollup), whole UTC days (daily rollup), whole
/// UTC hours (hourly rollup) and the remaining sub-hour edges (raw rows). Hour pieces carry a sign: a day that the interval covers for more than
/// 12 hours is read whole from the daily rollup, and the hours outside the interval are subtracted, which reads
/// fewer hourly rows. The signed pieces of an interval add up to it exactly, so the counts equal raw-row counts.
/// </summary>
public sealed class RollupPieces
{
    private static readonly TimeSpan HalfDay = TimeSpan.FromHours(12);

    private bool _allowSubtraction = true;

    /// <summary>Whole UTC calendar months, [start, end) on first days of months, with the index of their bucket.</summary>
    public List<(DateOnly Start, DateOnly End, int Bucket)> Months { get; } = [];

    /// <summary>Whole UTC days, [start, end), with the index of their bucket.</summary>
    public List<(DateOnly Start, DateOnly End, int Bucket)> Days { get; } = [];

    /// <summary>Whole UTC hours, [start, end), with the index of their bucket and +1 to add or -1 to subtract.</summary>
    public List<(DateTime Start, DateTime End, int Bucket, int Sign)> Hours { get; } = [];

    /// <summary>Sub-hour remainders, [start, end), with the index of their bucket.</summary>
    public List<(DateTime Start, DateTime End, int Bucket)> Raw { get; } = [];

    /// <summary>Splits each interval; the position of an interval in the list is its bucket index.</summary>
    /// <param name="intervals">The intervals, one per bucket.</param>
    /// <param name="allowSubtraction">
    /// Whether a mostly covered day may be read whole minus hours. Counts are integers and subtract exactly; weight
    /// sums are floating point, where subtracting a large weight can wipe out small ones, so weighted queries add
    /// hours only.
    /// </param>
    public static RollupPieces Split(IReadOnlyList<(DateTime Start, DateTime End)> intervals, bool allowSubtraction = true)
    {
        var pieces = new RollupPieces { _allowSubtraction = allowSubtraction };
        for (int bucket = 0; bucket < intervals.Count; bucket++)
        {
            pieces.Add(intervals[bucket].Start, intervals[bucket].End, bucket);
        }

        return pieces;
    }

    private void Add(DateTime start, DateTime end, int bucket)
    {
        var firstHour = Ceiling(start, TimeSpan.TicksPerHour);
        var lastHour = Floor(end, TimeSpan.TicksPerHour);
        if (firstHour >= lastHour)
        {
            AddRaw(start, end, bucket);
            return;
        }

        AddRaw(start, firstHour, bucket);
        AddWholeHours(firstHour, lastHour, bucket);
        AddRaw(lastHour, end, bucket);
    }

    /// <summary>Adds [start, end), both on hour boundaries.</summary>
    private void AddWholeHours(DateTime start, DateTime end, int bucket)
    {
        var startDay = Floor(start, TimeSpan.TicksPerDay);
        var endDay = Floor(end, TimeSpan.TicksPerDay);
        if (startDay == endDay)
        {
            AddPartialDay(startDay, start, end, bucket);
            return;
        }

        if (start > startDay)
        {
            AddPartialDay(startDay, start, startDay.AddDays(1), bucket);
            startDay = startDay.AddDays(1);
        }

        if (startDay < endDay)
        {
            AddWholeDays(DateOnly.FromDateTime(startDay), DateOnly.FromDateTime(endDay), bucket);
        }

        if (end > endDay)
        {
            AddPartialDay(endDay, endDay, end, bucket);
        }
    }

    /// <summary>Adds the days [start, end), reading whole calendar months from the monthly rollup.</summary>
    private void AddWholeDays(DateOnly start, DateOnly end, int bucket)
    {
        var firstMonth = start.Day == 1 ? start : new DateOnly(start.Year, start.Month, 1).AddMonths(1);
        var lastMonth = new DateOnly(end.Year, end.Month, 1);
        if (firstMonth >= lastMonth)
        {
            Days.Add((start, end, bucket));
            return;
        }

        if (start < firstMonth)
        {
            Days.Add((start, firstMonth, bucket));
        }

        Months.Add((firstMonth, lastMonth, bucket));
        if (lastMonth < end)
        {
            Days.Add((lastMonth, end, bucket));
        }
    }

    /// <summary>Adds [start, end) within the UTC day starting at <paramref name="day"/>.</summary>
    private void AddPartialDay(DateTime day, DateTime start, DateTime end, int bucket)
    {
        if (!_allowSubtraction || end - start <= HalfDay)
        {
            Hours.Add((start, end, bucket, 1));
            return;
        }

        var nextDay = day.AddDays(1);
        Days.Add((DateOnly.FromDateTime(day), DateOnly.FromDateTime(nextDay), bucket));
        if (start > day)
        {
            Hours.Add((day, start, bucket, -1));
        }

        if (end < nextDay)
        {
            Hours.Add((end, nextDay, bucket, -1));
        }
    }

    private void AddRaw(DateTime start, DateTime end, int bucket)
    {
        if (start < end)
        {
            Raw.Add((start, end, bucket));
        }
    }

    private static DateTime Floor(DateTime value, long unitTicks) =>
        new(value.Ticks - value.Ticks % unitTicks, DateTimeKind.Utc);

    private static DateTime Ceiling(DateTime value, long unitTicks) =>
        value.Ticks % unitTicks == 0 ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : Floor(value, unitTicks).AddTicks(unitTicks);
}

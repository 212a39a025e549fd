namespace NpsGrpc.Storage.Queries;

/// <summary>
/// Splits time intervals into whole UTC days (read from the daily rollup), whole UTC hours (hourly rollup) and the
/// remaining sub-hour edges (raw rows). The pieces of an interval cover it exactly, so counts summed over them equal
/// counts over the raw rows.
/// </summary>
public sealed class RollupPieces
{
    /// <summary>Whole UTC days, [start, end), with the index of their bucket.</summary>
    public List<(DateOnly Start, DateOnly End, int Bucket)> Days { get; } = [];

    /// <summary>Whole UTC hours, [start, end), with the index of their bucket.</summary>
    public List<(DateTime Start, DateTime End, int Bucket)> Hours { get; } = [];

    /// <summary>Sub-hour remainders, [start, end), with the index of their bucket.</summary>
    public List<(DateTime Start, DateTime End, int Bucket)> Raw { get; } = [];

    /// <summary>Splits each interval; the position of an interval in the list is its bucket index.</summary>
    public static RollupPieces Split(IReadOnlyList<(DateTime Start, DateTime End)> intervals)
    {
        var pieces = new RollupPieces();
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
        var firstDay = Ceiling(firstHour, TimeSpan.TicksPerDay);
        var lastDay = Floor(lastHour, TimeSpan.TicksPerDay);
        if (firstDay >= lastDay)
        {
            AddHours(firstHour, lastHour, bucket);
        }
        else
        {
            AddHours(firstHour, firstDay, bucket);
            Days.Add((DateOnly.FromDateTime(firstDay), DateOnly.FromDateTime(lastDay), bucket));
            AddHours(lastDay, lastHour, bucket);
        }

        AddRaw(lastHour, end, bucket);
    }

    private void AddRaw(DateTime start, DateTime end, int bucket)
    {
        if (start < end)
        {
            Raw.Add((start, end, bucket));
        }
    }

    private void AddHours(DateTime start, DateTime end, int bucket)
    {
        if (start < end)
        {
            Hours.Add((start, end, bucket));
        }
    }

    private static DateTime Floor(DateTime value, long unitTicks) =>
        new(value.Ticks - value.Ticks % unitTicks, DateTimeKind.Utc);

    private static DateTime Ceiling(DateTime value, long unitTicks) =>
        value.Ticks % unitTicks == 0 ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : Floor(value, unitTicks).AddTicks(unitTicks);
}

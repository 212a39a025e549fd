namespace NpsGrpc.Storage.Rollups;

/// <summary>Length of a rollup period, always in UTC.</summary>
public enum RollupPeriod
{
    /// <summary>A UTC hour; the period column is a timestamptz.</summary>
    Hour,

    /// <summary>A UTC day; the period column is a date.</summary>
    Day,

    /// <summary>A UTC calendar month; the period column is the date of its first day.</summary>
    Month,
}

/// <summary>One rollup table: its period and whether it keeps rollup attribute values (dims) or survey totals only.</summary>
/// <param name="Table">Table name.</param>
/// <param name="PeriodColumn">Name of the period column.</param>
/// <param name="Period">Length of its periods.</param>
/// <param name="HasDims">True for the tables keyed by the values of the rollup attribute keys.</param>
public sealed record RollupLevel(string Table, string PeriodColumn, RollupPeriod Period, bool HasDims)
{
    /// <summary>Every rollup table, finest period first.</summary>
    public static readonly IReadOnlyList<RollupLevel> All =
    [
        new("response_rollup_hourly", "hour", RollupPeriod.Hour, true),
        new("response_rollup_daily", "day", RollupPeriod.Day, true),
        new("response_rollup_monthly", "month", RollupPeriod.Month, true),
        new("survey_rollup_hourly", "hour", RollupPeriod.Hour, false),
        new("survey_rollup_daily", "day", RollupPeriod.Day, false),
        new("survey_rollup_monthly", "month", RollupPeriod.Month, false),
    ];

    /// <summary>The table of <paramref name="period"/> with or without dims.</summary>
    public static RollupLevel Of(RollupPeriod period, bool hasDims) =>
        All.Single(level => level.Period == period && level.HasDims == hasDims);

    /// <summary>The UTC period that contains <paramref name="instant"/>, as the value stored in the period column.</summary>
    public object PeriodOf(DateTime instant) => Period switch
    {
        RollupPeriod.Hour => new DateTime(instant.Ticks - instant.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc),
        RollupPeriod.Day => DateOnly.FromDateTime(instant),
        _ => new DateOnly(instant.Year, instant.Month, 1),
    };
}

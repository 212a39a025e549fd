using System.Globalization;
using NpsGrpc.Domain.Tests;
using NpsGrpc.Exports.Layout;
using NpsGrpc.Exports.Scheduling;

namespace NpsGrpc.Exports.Tests;

/// <summary>Cron slots across daylight-saving changes, local dates, date rows and column names.</summary>
public sealed class ScheduleTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Theory]
    [InlineData("2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z")]
    [InlineData("2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z")]
    public void Berlin0230_OnceOnDstDays(string from, string expectedFirst, string expectedSecond)
    {
        var schedule = ExportSchedule.TryParse("30 2 * * *", Berlin, out string? error)!;
        Assert.Null(error);
        var slots = Slots(schedule, Utc(from), 2);
        Assert.Equal([Utc(expectedFirst), Utc(expectedSecond)], slots);
    }

    [Fact]
    public void Berlin2026_OneSlotPerDay()
    {
        var schedule = ExportSchedule.TryParse("30 2 * * *", Berlin, out _)!;
        var slots = Slots(schedule, Utc("2025-12-31T12:00:00Z"), 365);
        var localDates = slots.Select(s => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(s, Berlin))).ToList();
        Assert.Equal(365, localDates.Distinct().Count());
        Assert.Equal(new DateOnly(2026, 1, 1), localDates[0]);
        Assert.Equal(new DateOnly(2026, 12, 31), localDates[^1]);
    }

    [Fact]
    public void MissedSlots_CollapseToLatest()
    {
        var schedule = ExportSchedule.TryParse("0 * * * *", TimeZoneInfo.Utc, out _)!;
        Assert.Equal(Utc("2026-12-04T17:00:00Z"), schedule.LatestDueSlot(Utc("2026-12-01T00:00:00Z"), Utc("2026-12-04T17:20:00Z")));
        Assert.Null(schedule.LatestDueSlot(Utc("2026-12-04T17:00:00Z"), Utc("2026-12-04T17:20:00Z")));
        Assert.Equal(Utc("2026-12-04T18:00:00Z"), schedule.LatestDueSlot(Utc("2026-12-04T17:00:00Z"), Utc("2026-12-04T18:00:00Z")));
    }

    [Theory]
    [InlineData("* * * *", "4 fields")]
    [InlineData("61 * * * *", "")]
    [InlineData("0 0 31 2 * * *", "7 fields")]
    public void MalformedCron_RejectedWithReason(string text, string reason)
    {
        Assert.Null(ExportSchedule.TryParse(text, TimeZoneInfo.Utc, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void SixFields_SecondsFirst()
    {
        var schedule = ExportSchedule.TryParse("*/10 * * * * *", TimeZoneInfo.Utc, out _)!;
        Assert.Equal(Utc("2026-12-04T10:00:10Z"), schedule.NextSlot(Utc("2026-12-04T10:00:00Z")));
    }

    public static TheoryData<int> TimeBucketCases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < ReferenceValues.Root.GetProperty("time_buckets").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TimeBucketCases))]
    public void LocalDates_MatchReferenceValues(int caseIndex)
    {
        var reference = ReferenceValues.Root.GetProperty("time_buckets")[caseIndex];
        var zone = TimeZoneInfo.FindSystemTimeZoneById(reference.GetProperty("time_zone").GetString()!);
        var instant = DateTimeOffset.Parse(reference.GetProperty("instant_utc").GetString()!, CultureInfo.InvariantCulture).UtcDateTime;
        var date = new LocalDates(zone).DateOf(instant);
        Assert.Equal(reference.GetProperty("local_date").GetString(), date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

        var row = Assert.Single(DateRow.Between(date, date));
        Assert.Equal(reference.GetProperty("iso_week").GetString(), $"{row.IsoYear}-W{row.IsoWeek:D2}");
        Assert.Equal(reference.GetProperty("month").GetString(), row.YearMonth);
        Assert.Equal(reference.GetProperty("quarter").GetString(), $"{row.Year}-{row.QuarterName}");
    }

    [Fact]
    public void DayBounds_FollowDstChanges()
    {
        var dates = new LocalDates(Berlin);
        Assert.Equal((Utc("2026-03-28T23:00:00Z"), Utc("2026-03-29T22:00:00Z")), dates.UtcBounds(new DateOnly(2026, 3, 29)));
        Assert.Equal((Utc("2026-10-24T22:00:00Z"), Utc("2026-10-25T23:00:00Z")), dates.UtcBounds(new DateOnly(2026, 10, 25)));

        // Sao Paulo has had midnight changes; Havana still moves its clocks at midnight.
        var havana = new LocalDates(TimeZoneInfo.FindSystemTimeZoneById("America/Havana"));
        var (start, end) = havana.UtcBounds(new DateOnly(2026, 3, 8));
        Assert.Equal(new DateOnly(2026, 3, 8), havana.DateOf(start));
        Assert.Equal(new DateOnly(2026, 3, 7), havana.DateOf(start.AddTicks(-10)));
        Assert.Equal(new DateOnly(2026, 3, 9), havana.DateOf(end));
    }

    [Fact]
    public void DateRange_HasNoGaps()
    {
        var rows = DateRow.Between(new DateOnly(2024, 2, 27), new DateOnly(2024, 3, 2)).ToList();
        Assert.Equal(5, rows.Count);
        Assert.Equal(new DateOnly(2024, 2, 29), rows[2].Date);
        Assert.Equal(60, rows[2].DayOfYear);
        Assert.Empty(DateRow.Between(new DateOnly(2024, 3, 2), new DateOnly(2024, 3, 1)));
    }

    [Fact]
    public void CaseOnlyKeys_GetDistinctColumns()
    {
        var first = AttributeColumns.Extend([], ["region", "Plan"]);
        Assert.Equal([new AttributeColumn("Plan", "attr_plan"), new AttributeColumn("region", "attr_region")], first);
        var second = AttributeColumns.Extend(first, ["Region", "plan", "region", "zone"]);
        Assert.Equal(first, second.Take(2));
        Assert.Equal(
            [new AttributeColumn("Region", "attr_region_2"), new AttributeColumn("plan", "attr_plan_2"), new AttributeColumn("zone", "attr_zone")],
            second.Skip(2));
    }

    private static DateTime Utc(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).UtcDateTime;

    private static List<DateTime> Slots(ExportSchedule schedule, DateTime from, int count)
    {
        var slots = new List<DateTime>();
        DateTime after = from;
        for (int i = 0; i < count; i++)
        {
            after = schedule.NextSlot(after)!.Value;
            slots.Add(after);
        }

        return slots;
    }
}

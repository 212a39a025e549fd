using NpsGrpc.Domain.Time;

namespace NpsGrpc.Domain.Tests;

public sealed class TimeBucketTests
{
    public static TheoryData<int> ReferenceCases()
    {
        var data = new TheoryData<int>();
        int count = ReferenceValues.Root.GetProperty("time_buckets").GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Labels_ReferenceInstant_MatchIndependentFigures(int caseIndex)
    {
        var reference = ReferenceValues.Root.GetProperty("time_buckets")[caseIndex];
        var instant = DateTimeOffset.Parse(reference.GetProperty("instant_utc").GetString()!).UtcDateTime;
        var zone = TimeBuckets.FindZone(reference.GetProperty("time_zone").GetString()!);

        var date = TimeBuckets.LocalDate(instant, zone);

        Assert.Equal(reference.GetProperty("local_date").GetString(), TimeBuckets.Label(date, BucketWidth.Day));
        Assert.Equal(reference.GetProperty("iso_week").GetString(), TimeBuckets.Label(TimeBuckets.BucketStart(date, BucketWidth.IsoWeek), BucketWidth.IsoWeek));
        Assert.Equal(reference.GetProperty("month").GetString(), TimeBuckets.Label(TimeBuckets.BucketStart(date, BucketWidth.Month), BucketWidth.Month));
        Assert.Equal(reference.GetProperty("quarter").GetString(), TimeBuckets.Label(TimeBuckets.BucketStart(date, BucketWidth.Quarter), BucketWidth.Quarter));
    }

    [Fact]
    public void BucketStart_IsoWeek_IsMonday()
    {
        var start = TimeBuckets.BucketStart(new DateOnly(2026, 3, 29), BucketWidth.IsoWeek);

        Assert.Equal(new DateOnly(2026, 3, 23), start);
        Assert.Equal(DayOfWeek.Monday, start.DayOfWeek);
    }

    [Fact]
    public void StartOfLocalDate_BerlinSpringForward_Is23HourDay()
    {
        var zone = TimeBuckets.FindZone("Europe/Berlin");

        var start = TimeBuckets.StartOfLocalDateUtc(new DateOnly(2026, 3, 29), zone);
        var next = TimeBuckets.StartOfLocalDateUtc(new DateOnly(2026, 3, 30), zone);

        Assert.Equal(new DateTime(2026, 3, 28, 23, 0, 0, DateTimeKind.Utc), start);
        Assert.Equal(TimeSpan.FromHours(23), next - start);
    }

    [Fact]
    public void StartOfLocalDate_Kolkata_IsHalfHourOffset()
    {
        var start = TimeBuckets.StartOfLocalDateUtc(new DateOnly(2026, 3, 29), TimeBuckets.FindZone("Asia/Kolkata"));

        Assert.Equal(new DateTime(2026, 3, 28, 18, 30, 0, DateTimeKind.Utc), start);
    }

    [Fact]
    public void StartOfLocalDate_SkippedMidnight_StartsAtFirstValidTime()
    {
        // Chile moved its clocks from 00:00 to 01:00 on 2024-09-08, so that day began at 01:00 local (04:00 UTC).
        var start = TimeBuckets.StartOfLocalDateUtc(new DateOnly(2024, 9, 8), TimeBuckets.FindZone("America/Santiago"));

        Assert.Equal(new DateTime(2024, 9, 8, 4, 0, 0, DateTimeKind.Utc), start);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Mars/Olympus")]
    [InlineData("../etc/passwd")]
    [InlineData("UTC+12")]
    [InlineData("W. Europe Standard Time")]
    public void FindZone_UnknownId_Throws(string id)
    {
        Assert.Throws<TimeZoneNotFoundException>(() => TimeBuckets.FindZone(id));
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Etc/GMT-12")]
    [InlineData("America/St_Johns")]
    public void FindZone_IanaId_IsFound(string id)
    {
        Assert.NotNull(TimeBuckets.FindZone(id));
    }

    [Fact]
    public void NextBucketStart_Quarter_AddsThreeMonths()
    {
        Assert.Equal(new DateOnly(2027, 1, 1), TimeBuckets.NextBucketStart(new DateOnly(2026, 10, 1), BucketWidth.Quarter));
    }
}

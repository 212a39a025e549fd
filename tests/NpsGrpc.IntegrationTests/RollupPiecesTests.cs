using NpsGrpc.Storage.Queries;

namespace NpsGrpc.IntegrationTests;

public sealed class RollupPiecesTests
{
    private static DateTime Utc(string instant) => DateTimeOffset.Parse(instant).UtcDateTime;

    /// <summary>Adds up the signed pieces per hour over the span and checks each hour is counted exactly once.</summary>
    private static void AssertCoversExactly(RollupPieces pieces, DateTime start, DateTime end)
    {
        var weightByHour = new Dictionary<DateTime, int>();
        void AddHours(DateTime from, DateTime to, int sign)
        {
            for (var hour = from; hour < to; hour = hour.AddHours(1))
            {
                weightByHour[hour] = weightByHour.GetValueOrDefault(hour) + sign;
            }
        }

        foreach (var month in pieces.Months)
        {
            AddHours(month.Start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), month.End.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), 1);
        }

        foreach (var day in pieces.Days)
        {
            AddHours(day.Start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), day.End.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), 1);
        }

        foreach (var hours in pieces.Hours)
        {
            AddHours(hours.Start, hours.End, hours.Sign);
        }

        foreach (var (hour, weight) in weightByHour)
        {
            bool inside = hour >= start && hour.AddHours(1) <= end;
            Assert.True(weight == (inside ? 1 : 0), $"hour {hour:O} counted {weight} times");
        }
    }

    [Fact]
    public void Split_BerlinWeekAcrossDst_ReadsDaysAndThreeHours()
    {
        // The week runs from Monday 00:00 CET (Sunday 23:00 UTC) to Monday 00:00 CEST (Sunday 22:00 UTC): one hour is
        // added before the first whole day and the two hours after 22:00 are subtracted from the last day.
        var start = Utc("2026-03-22T23:00:00Z");
        var end = Utc("2026-03-29T22:00:00Z");

        var pieces = RollupPieces.Split([(start, end)]);

        Assert.Empty(pieces.Raw);
        Assert.Equal([(start, Utc("2026-03-23T00:00:00Z"), 0, 1), (end, Utc("2026-03-30T00:00:00Z"), 0, -1)], pieces.Hours);
        AssertCoversExactly(pieces, start, end);
    }

    [Fact]
    public void Split_KolkataDay_KeepsHalfHourEdgesRaw()
    {
        var start = Utc("2026-03-28T18:30:00Z");
        var end = Utc("2026-03-29T18:30:00Z");

        var pieces = RollupPieces.Split([(start, end)]);

        Assert.Equal([(start, Utc("2026-03-28T19:00:00Z"), 0), (Utc("2026-03-29T18:00:00Z"), end, 0)], pieces.Raw);
        AssertCoversExactly(pieces, Utc("2026-03-28T19:00:00Z"), Utc("2026-03-29T18:00:00Z"));
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00Z", "2026-01-01T05:00:00Z")]
    [InlineData("2026-01-01T03:00:00Z", "2026-01-01T20:00:00Z")]
    [InlineData("2026-01-01T13:00:00Z", "2026-01-03T11:00:00Z")]
    [InlineData("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("2026-01-01T01:00:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("2025-11-17T05:00:00Z", "2026-03-02T19:00:00Z")]
    [InlineData("2025-12-31T23:00:00Z", "2026-02-01T01:00:00Z")]
    public void Split_WholeHourSpans_CountEachHourOnce(string from, string to)
    {
        var pieces = RollupPieces.Split([(Utc(from), Utc(to))]);

        Assert.Empty(pieces.Raw);
        AssertCoversExactly(pieces, Utc(from), Utc(to));
    }

    [Fact]
    public void Split_SeveralMonths_ReadsWholeMonthsOnce()
    {
        var start = Utc("2025-11-17T00:00:00Z");
        var end = Utc("2026-03-02T00:00:00Z");

        var pieces = RollupPieces.Split([(start, end)]);

        Assert.Equal([(new DateOnly(2025, 12, 1), new DateOnly(2026, 3, 1), 0)], pieces.Months);
        Assert.Equal(2, pieces.Days.Count);
        AssertCoversExactly(pieces, start, end);
    }

    [Fact]
    public void Split_WithoutSubtraction_AddsHoursOnly()
    {
        var start = Utc("2026-03-22T23:00:00Z");
        var end = Utc("2026-03-29T22:00:00Z");

        var pieces = RollupPieces.Split([(start, end)], allowSubtraction: false);

        Assert.All(pieces.Hours, h => Assert.Equal(1, h.Sign));
        Assert.Equal(23, pieces.Hours.Sum(h => (h.End - h.Start).TotalHours));
        AssertCoversExactly(pieces, start, end);
    }
}

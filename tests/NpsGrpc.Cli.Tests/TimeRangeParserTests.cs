using System.Globalization;
using NpsGrpc.Cli.Mapping;

namespace NpsGrpc.Cli.Tests;

public sealed class TimeRangeParserTests
{
    private static readonly TimeZoneInfo Berlin = InstantParser.FindTimeZone("Europe/Berlin");

    [Theory]
    // 2026-03-31T22:30Z is already 2026-04-01 00:30 in Berlin (UTC+2 in summer), so the months differ by zone.
    [InlineData("UTC", "2026-03-31T22:30:00Z", "this-month", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")]
    [InlineData("UTC", "2026-03-31T22:30:00Z", "last-month", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [InlineData("Europe/Berlin", "2026-03-31T22:30:00Z", "this-month", "2026-03-31T22:00:00Z", "2026-04-30T22:00:00Z")]
    [InlineData("Europe/Berlin", "2026-03-31T22:30:00Z", "last-month", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z")]
    [InlineData("UTC", "2026-01-15T10:00:00Z", "last-month", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    // 2026-03-29 is a Sunday, and Berlin switches to summer time that night.
    [InlineData("Europe/Berlin", "2026-03-29T12:00:00Z", "this-week", "2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z")]
    [InlineData("Europe/Berlin", "2026-03-29T12:00:00Z", "last-week", "2026-03-15T23:00:00Z", "2026-03-22T23:00:00Z")]
    [InlineData("Europe/Berlin", "2026-03-29T12:00:00Z", "today", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z")]
    [InlineData("Europe/Berlin", "2026-03-29T12:00:00Z", "yesterday", "2026-03-27T23:00:00Z", "2026-03-28T23:00:00Z")]
    [InlineData("UTC", "2026-02-15T00:00:00Z", "this-quarter", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")]
    [InlineData("UTC", "2026-02-15T00:00:00Z", "last-quarter", "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    [InlineData("UTC", "2026-02-15T00:00:00Z", "this-year", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("UTC", "2026-02-15T00:00:00Z", "last-year", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    public void TryParse_Shortcut_ReturnsLocalCalendarPeriod(
        string zone, string now, string text, string expectedStart, string expectedEnd)
    {
        var parser = new TimeRangeParser(InstantParser.FindTimeZone(zone));

        InstantRange? range = parser.TryParse(text, Utc(now), out string? error);

        Assert.Null(error);
        Assert.Equal(Utc(expectedStart), range?.Start);
        Assert.Equal(Utc(expectedEnd), range?.End);
    }

    [Theory]
    [InlineData("2026-03-01..2026-04-01", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z")]
    [InlineData(" 2026-03-01T00:00:00Z..2026-03-02T12:00:00+02:00 ", "2026-03-01T00:00:00Z", "2026-03-02T10:00:00Z")]
    [InlineData("2026-03-29 01:00..2026-03-29 03:00", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z")]
    public void TryParse_FromTo_ReadsInTimeZone(string text, string expectedStart, string expectedEnd)
    {
        InstantRange? range = new TimeRangeParser(Berlin).TryParse(text, Utc("2026-01-01T00:00:00Z"), out string? error);

        Assert.Null(error);
        Assert.Equal(Utc(expectedStart), range?.Start);
        Assert.Equal(Utc(expectedEnd), range?.End);
    }

    [Theory]
    [InlineData("2026-03-01", "is not a time range")]
    [InlineData("next-month", "is not a time range")]
    [InlineData("2026-01-01..2026-02-01..2026-03-01", "is not a time range")]
    [InlineData("..2026-03-01", "invalid start")]
    [InlineData("2026-03-01..", "invalid end")]
    [InlineData("2026-03-01..March", "invalid end")]
    [InlineData("2026-04-01..2026-03-01", "ends before it starts")]
    [InlineData("2026-03-01..2026-03-01", "ends before it starts")]
    [InlineData("2026-03-29 02:30..2026-03-30", "daylight saving")]
    public void TryParse_Invalid_ReturnsError(string text, string expectedMessagePart)
    {
        InstantRange? range = new TimeRangeParser(Berlin).TryParse(text, Utc("2026-01-01T00:00:00Z"), out string? error);

        Assert.Null(range);
        Assert.Contains(expectedMessagePart, error);
    }

    private static DateTime Utc(string text) =>
        DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}

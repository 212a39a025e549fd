using NpsGrpc.Cli;
using NpsGrpc.Cli.Mapping;

namespace NpsGrpc.Cli.Tests;

public sealed class InstantParserTests
{
    private static readonly TimeZoneInfo Berlin = InstantParser.FindTimeZone("Europe/Berlin");

    [Theory]
    [InlineData("2024-03-01T14:30:00Z", "2024-03-01T14:30:00")]
    [InlineData("2024-03-01T14:30:00+02:00", "2024-03-01T12:30:00")]
    [InlineData("2024-03-01T14:30:00.25-0500", "2024-03-01T19:30:00.25")]
    [InlineData("2024-03-01 14:30", "2024-03-01T13:30:00")]
    [InlineData("2024-07-01", "2024-06-30T22:00:00")]
    public void TryParse_Iso_ReturnsUtc(string text, string expectedUtc)
    {
        DateTime? instant = new InstantParser(null, Berlin).TryParse(text, out string? error);

        Assert.Null(error);
        Assert.Equal(DateTime.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), instant);
        Assert.Equal(DateTimeKind.Utc, instant!.Value.Kind);
    }

    [Fact]
    public void TryParse_SkippedMidnight_ReturnsFirstMinute()
    {
        // Chile moves its clocks from 00:00 to 01:00 (UTC-4 to UTC-3) on 2024-09-08, so that day starts at 01:00.
        var santiago = InstantParser.FindTimeZone("America/Santiago");

        DateTime? instant = new InstantParser(null, santiago).TryParse("2024-09-08", out string? error);

        Assert.Null(error);
        Assert.Equal(new DateTime(2024, 9, 8, 4, 0, 0, DateTimeKind.Utc), instant);
    }

    [Fact]
    public void IanaId_WindowsId_ConvertsToIana()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("W. Europe Standard Time");

        Assert.Equal("Europe/Berlin", InstantParser.IanaId(zone));
    }

    [Fact]
    public void TryParse_CustomFormat_ReadsInTimeZone()
    {
        var parser = new InstantParser("M/d/yyyy H:mm:ss", TimeZoneInfo.Utc);

        DateTime? instant = parser.TryParse("11/1/2019 8:51:12", out _);

        Assert.Equal(new DateTime(2019, 11, 1, 8, 51, 12, DateTimeKind.Utc), instant);
    }

    [Fact]
    public void TryParse_DaylightSavingGap_ReturnsError()
    {
        DateTime? instant = new InstantParser(null, Berlin).TryParse("2024-03-31 02:30", out string? error);

        Assert.Null(instant);
        Assert.Contains("daylight saving", error);
    }

    [Fact]
    public void TryParse_WrongFormat_NamesFormat()
    {
        DateTime? instant = new InstantParser("yyyy-MM-dd", TimeZoneInfo.Utc).TryParse("01.02.2024", out string? error);

        Assert.Null(instant);
        Assert.Contains("'yyyy-MM-dd'", error);
    }

    [Fact]
    public void FindTimeZone_Unknown_Throws()
    {
        Assert.Throws<UsageException>(() => InstantParser.FindTimeZone("Mars/Olympus"));
    }
}

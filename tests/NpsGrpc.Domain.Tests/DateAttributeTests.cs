using NpsGrpc.Domain.Time;

namespace NpsGrpc.Domain.Tests;

public sealed class DateAttributeTests
{
    private static readonly TimeZoneInfo Berlin = TimeBuckets.FindZone("Europe/Berlin");

    [Theory]
    [InlineData("2020-07-06", "2020-07-06")]
    [InlineData("2020-07-06T23:30", "2020-07-06")]
    [InlineData("2020-07-06 23:30:15", "2020-07-06")]
    [InlineData("2020-07-06T23:30:00Z", "2020-07-07")]
    [InlineData("2020-07-06T23:30:00.250Z", "2020-07-07")]
    [InlineData("2020-07-06T23:30:00+02:00", "2020-07-06")]
    [InlineData("2020-12-31T23:30:00Z", "2021-01-01")]
    public void Parse_IsoValue_ReturnsLocalDate(string value, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DateAttribute.Parse(value, Berlin));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a date")]
    [InlineData("2020-02-30")]
    [InlineData("2020-13-01")]
    [InlineData("07/06/2020")]
    [InlineData("2020-7-6")]
    [InlineData(" 2020-07-06")]
    [InlineData("1899-12-31")]
    [InlineData("3000-01-01")]
    public void Parse_InvalidValue_ReturnsNull(string value)
    {
        Assert.Null(DateAttribute.Parse(value, Berlin));
    }
}

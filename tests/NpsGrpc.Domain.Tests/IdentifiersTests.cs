using NpsGrpc.Domain.Validation;

namespace NpsGrpc.Domain.Tests;

public sealed class IdentifiersTests
{
    [Theory]
    [InlineData("airlines", true)]
    [InlineData("q4-2026", true)]
    [InlineData("0survey", true)]
    [InlineData("-leading", false)]
    [InlineData("Upper", false)]
    [InlineData("under_score", false)]
    [InlineData("", false)]
    public void IsSurveyId_Examples_MatchRule(string id, bool expected)
    {
        Assert.Equal(expected, Identifiers.IsSurveyId(id));
    }

    [Fact]
    public void IsSurveyId_64Characters_IsRejected()
    {
        Assert.False(Identifiers.IsSurveyId(new string('a', 64)));
        Assert.True(Identifiers.IsSurveyId(new string('a', 63)));
    }

    [Theory]
    [InlineData("region", true)]
    [InlineData("signup_date", true)]
    [InlineData("R2", true)]
    [InlineData("_private", false)]
    [InlineData("région", false)]
    [InlineData("a b", false)]
    public void IsAttributeKey_Examples_MatchRule(string key, bool expected)
    {
        Assert.Equal(expected, Identifiers.IsAttributeKey(key));
    }

    [Theory]
    [InlineData("Checkout survey", null)]
    [InlineData("Überprüfung 调查 ✓", null)]
    [InlineData("red\u001b[31m", "contains the control character U+001B at position 3; names take printable characters only")]
    [InlineData("two\nlines", "contains the control character U+000A at position 3; names take printable characters only")]
    [InlineData("tab\there", "contains the control character U+0009 at position 3; names take printable characters only")]
    [InlineData("c1\u009bcontrol", "contains the control character U+009B at position 2; names take printable characters only")]
    public void CheckName_Examples_MatchRule(string name, string? expected)
    {
        Assert.Equal(expected, Identifiers.CheckName(name, 200));
    }

    [Fact]
    public void CheckName_TooLong_ReportsLength()
    {
        Assert.Equal("is 201 characters long; the maximum is 200", Identifiers.CheckName(new string('a', 201), 200));
    }

    [Theory]
    [InlineData("First line\r\nsecond\tline", null)]
    [InlineData("bell\u0007", "contains the control character U+0007 at position 4; only tabs and line breaks are allowed")]
    [InlineData("clear\u001b[2J", "contains the control character U+001B at position 5; only tabs and line breaks are allowed")]
    public void CheckDescription_Examples_MatchRule(string description, string? expected)
    {
        Assert.Equal(expected, Identifiers.CheckDescription(description, 2000));
    }
}

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
}

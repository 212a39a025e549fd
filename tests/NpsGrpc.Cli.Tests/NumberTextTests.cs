using NpsGrpc.Cli.Output;

namespace NpsGrpc.Cli.Tests;

public sealed class NumberTextTests
{
    [Theory]
    [InlineData(0.0123, "0.0123")]
    [InlineData(0.12345, "0.123")]
    [InlineData(0.5, "0.500")]
    [InlineData(1.0, "1.00")]
    [InlineData(0.001, "0.00100")]
    [InlineData(0.009996, "0.0100")]
    [InlineData(0.0009999, "<0.001")]
    [InlineData(0.0, "<0.001")]
    public void PValue_ShowsThreeSignificantDigits(double pValue, string expected)
    {
        Assert.Equal(expected, NumberText.PValue(pValue));
    }

    [Theory]
    [InlineData(20.0, "+20.0")]
    [InlineData(-3.46, "-3.5")]
    [InlineData(-0.04, "0.0")]
    [InlineData(0.04, "0.0")]
    [InlineData(0.06, "+0.1")]
    [InlineData(-0.06, "-0.1")]
    public void SignedOneDecimal_ShowsSign(double value, string expected)
    {
        Assert.Equal(expected, NumberText.SignedOneDecimal(value));
    }

    [Fact]
    public void Percent_ShowsOneDecimal()
    {
        Assert.Equal("40.2%", NumberText.Percent(74.0 / 184));
    }
}

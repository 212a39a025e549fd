using NpsGrpc.Domain.Insights;

namespace NpsGrpc.Domain.Tests;

public sealed class ProportionTestTests
{
    [Fact]
    public void FisherExact_TeaTasting_MatchesPublishedValue()
    {
        // Fisher's lady tasting tea: 3 of 4 cups right of each kind. The two-sided p-value is
        // (1 + 16 + 16 + 1) / 70 = 34 / 70, the four tables no more likely than the observed one.
        double p = ProportionTest.FisherExact(3, 4, 4, 8);

        Assert.Equal(34.0 / 70, p, 12);
    }

    [Theory]
    [InlineData(6, 0.008558797524314767)]
    [InlineData(1, 0.19313881520778073)]
    public void FisherExact_UnequalMargins_SumsLessLikelyTables(int holdersInCategory, double expected)
    {
        // 7 holders and 12 in the category among 30. The expected p-values were summed from
        // C(12, k) x C(18, 7 - k) / C(30, 7) over the tables no more likely than the observed one.
        double p = ProportionTest.FisherExact(holdersInCategory, 7, 12, 30);

        Assert.Equal(expected, p, 12);
    }

    [Fact]
    public void Compute_SmallExpectedCount_UsesFisher()
    {
        var result = ProportionTest.Compute(3, 4, 4, 8);

        Assert.NotNull(result);
        Assert.Equal(ProportionTestMethod.FisherExact, result.Method);
        Assert.Equal(34.0 / 70, result.PValue, 12);
    }

    [Fact]
    public void Compute_LargeCounts_UsesPooledZ()
    {
        // Holders: 60 of 100 in the category; the rest: 40 of 100. Pooled rate 0.5, so
        // SE = sqrt(0.25 x (1/100 + 1/100)) = 0.0707107 and z = 0.2 / SE = 2.828427; p = 2 x (1 - Phi(z)).
        var result = ProportionTest.Compute(60, 100, 100, 200);

        Assert.NotNull(result);
        Assert.Equal(ProportionTestMethod.TwoProportionZ, result.Method);
        Assert.Equal(0.004677735, result.PValue, 8);
    }

    [Theory]
    [InlineData(0, 0, 5, 10)]
    [InlineData(5, 10, 5, 10)]
    [InlineData(0, 5, 0, 10)]
    [InlineData(5, 5, 10, 10)]
    public void Compute_EmptyRowOrColumn_ReturnsNull(long holdersInCategory, long holders, long inCategory, long total)
    {
        Assert.Null(ProportionTest.Compute(holdersInCategory, holders, inCategory, total));
    }
}

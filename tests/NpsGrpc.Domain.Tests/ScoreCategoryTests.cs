using NpsGrpc.Domain.Scoring;

namespace NpsGrpc.Domain.Tests;

public sealed class ScoreCategoryTests
{
    [Theory]
    [InlineData(0, ScoreCategory.Detractor)]
    [InlineData(6, ScoreCategory.Detractor)]
    [InlineData(7, ScoreCategory.Passive)]
    [InlineData(8, ScoreCategory.Passive)]
    [InlineData(9, ScoreCategory.Promoter)]
    [InlineData(10, ScoreCategory.Promoter)]
    public void Categorize_BoundaryScore_ReturnsCategory(int score, ScoreCategory expected)
    {
        Assert.Equal(expected, ScoreCategories.Categorize(score));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    public void Categorize_OutOfRange_Throws(int score)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreCategories.Categorize(score));
    }

    [Fact]
    public void FromScores_KnownAnswer_Is33Point33()
    {
        var counts = NpsCounts.FromScores([10, 9, 10, 8, 7, 5, 6, 9, 10]);

        Assert.Equal(5, counts.Promoters);
        Assert.Equal(2, counts.Passives);
        Assert.Equal(2, counts.Detractors);
        Assert.Equal(33.33, counts.Nps!.Value, 2);
    }

    [Fact]
    public void FromScores_OnePerCategory_IsZero()
    {
        Assert.Equal(0, NpsCounts.FromScores([9, 8, 6]).Nps);
    }

    [Fact]
    public void Addition_OfCounts_AddsEachCategory()
    {
        var sum = new NpsCounts(1, 2, 3) + new NpsCounts(10, 20, 30);

        Assert.Equal(new NpsCounts(11, 22, 33), sum);
    }
}

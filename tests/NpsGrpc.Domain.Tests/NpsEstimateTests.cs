using System.Text.Json;
using NpsGrpc.Domain.Scoring;

namespace NpsGrpc.Domain.Tests;

public sealed class NpsEstimateTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int> SingleGroupCases()
    {
        var data = new TheoryData<int>();
        int count = ReferenceValues.Root.GetProperty("single_group").GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SingleGroupCases))]
    public void Compute_ReferenceCase_MatchesIndependentFigures(int caseIndex)
    {
        var reference = ReferenceValues.Root.GetProperty("single_group")[caseIndex];
        var counts = new NpsCounts(
            reference.GetProperty("promoters").GetInt64(),
            reference.GetProperty("passives").GetInt64(),
            reference.GetProperty("detractors").GetInt64());
        double level = reference.GetProperty("confidence_level").GetDouble();

        var wald = NpsEstimate.Compute(counts, level, IntervalMethod.Wald);
        var adjusted = NpsEstimate.Compute(counts, level, IntervalMethod.AdjustedWald);

        Assert.Equal(reference.GetProperty("n").GetInt64(), counts.N);
        AssertNullableClose(reference.GetProperty("nps"), wald.Nps);
        AssertNullableClose(reference.GetProperty("nps"), adjusted.Nps);
        AssertNullableClose(reference.GetProperty("variance"), counts.Variance);
        AssertNullableClose(reference.GetProperty("standard_error"), wald.StandardError);
        AssertIntervalClose(reference.GetProperty("wald_ci"), wald);
        AssertIntervalClose(reference.GetProperty("adjusted_wald_ci"), adjusted);
    }

    [Fact]
    public void Compute_TwelveFiveThree_MatchesPublishedIntervals()
    {
        var counts = new NpsCounts(12, 5, 3);

        var wald = NpsEstimate.Compute(counts, 0.95, IntervalMethod.Wald);
        var adjusted = NpsEstimate.Compute(counts, 0.95, IntervalMethod.AdjustedWald);

        Assert.Equal(45, wald.Nps!.Value, 6);
        Assert.Equal(12.6, wald.Lower!.Value, 1);
        Assert.Equal(77.4, wald.Upper!.Value, 1);
        Assert.Equal(45, adjusted.Nps!.Value, 6);
        Assert.Equal(8.4, adjusted.Lower!.Value, 1);
        Assert.Equal(69.8, adjusted.Upper!.Value, 1);
    }

    [Fact]
    public void Compute_TalkStatsWave_HasWaldHalfWidthOfAbout4Point4()
    {
        var estimate = NpsEstimate.Compute(new NpsCounts(291, 476, 395), 0.95, IntervalMethod.Wald);

        Assert.Equal(-8.95, estimate.Nps!.Value, 2);
        Assert.Equal(4.4, (estimate.Upper!.Value - estimate.Lower!.Value) / 2, 1);
    }

    [Fact]
    public void Compute_EmptyGroup_HasNoNpsAndNoInterval()
    {
        var estimate = NpsEstimate.Compute(default, 0.95, IntervalMethod.AdjustedWald);

        Assert.Null(estimate.Nps);
        Assert.Null(estimate.StandardError);
        Assert.Null(estimate.Lower);
        Assert.Null(estimate.Upper);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Compute_LevelOutsideOpenUnitInterval_Throws(double level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NpsEstimate.Compute(new NpsCounts(1, 1, 1), level, IntervalMethod.Wald));
    }

    private static void AssertNullableClose(JsonElement expected, double? actual)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        Assert.InRange(actual.Value, expected.GetDouble() - Tolerance, expected.GetDouble() + Tolerance);
    }

    private static void AssertIntervalClose(JsonElement expected, NpsEstimate estimate)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.Null(estimate.Lower);
            Assert.Null(estimate.Upper);
            return;
        }

        AssertNullableClose(expected[0], estimate.Lower);
        AssertNullableClose(expected[1], estimate.Upper);
    }
}

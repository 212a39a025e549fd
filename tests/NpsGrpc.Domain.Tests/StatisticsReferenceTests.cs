using NpsGrpc.Domain.Scoring;

namespace NpsGrpc.Domain.Tests;

public sealed class StatisticsReferenceTests
{
    private const double Tolerance = 1e-5;

    private static NpsCounts CountsOf(System.Text.Json.JsonElement group) => new(
        group.GetProperty("promoters").GetInt64(),
        group.GetProperty("passives").GetInt64(),
        group.GetProperty("detractors").GetInt64());

    [Fact]
    public void Difference_ReferencePairs_MatchIndependentFigures()
    {
        foreach (var pair in ReferenceValues.Root.GetProperty("two_groups").EnumerateArray())
        {
            var difference = NpsDifference.Compute(CountsOf(pair.GetProperty("a")), CountsOf(pair.GetProperty("b")))!;

            Assert.Equal(pair.GetProperty("difference").GetDouble(), difference.Difference, Tolerance);
            Assert.Equal(pair.GetProperty("standard_error").GetDouble(), difference.StandardError, Tolerance);
            Assert.Equal(pair.GetProperty("z").GetDouble(), difference.Z, Tolerance);
            Assert.Equal(pair.GetProperty("p_value").GetDouble(), difference.PValue, Tolerance);
        }
    }

    [Fact]
    public void Difference_EmptyGroup_IsNull()
    {
        Assert.Null(NpsDifference.Compute(new NpsCounts(1, 0, 0), default));
    }

    [Fact]
    public void Difference_BothUnanimous_HasNoTest()
    {
        Assert.Null(NpsDifference.Compute(new NpsCounts(1, 0, 0), new NpsCounts(0, 0, 1)));
        Assert.Null(NpsDifference.Compute(new NpsCounts(5, 0, 0), new NpsCounts(7, 0, 0)));
    }

    [Fact]
    public void Difference_OneUnanimousSide_UsesOtherVariance()
    {
        var difference = NpsDifference.Compute(new NpsCounts(10, 0, 0), new NpsCounts(5, 0, 5))!;

        Assert.Equal(100, difference.Difference, 9);
        Assert.Equal(100 * Math.Sqrt(1.0 / 10), difference.StandardError, 9);
    }

    [Fact]
    public void Difference_SwappedGroups_FlipsSignOnly()
    {
        var forward = NpsDifference.Compute(new NpsCounts(12, 5, 3), new NpsCounts(3, 5, 12))!;
        var backward = NpsDifference.Compute(new NpsCounts(3, 5, 12), new NpsCounts(12, 5, 3))!;

        Assert.Equal(-forward.Difference, backward.Difference);
        Assert.Equal(forward.PValue, backward.PValue);
    }

    [Fact]
    public void BenjaminiHochberg_ReferenceList_MatchesIndependentFigures()
    {
        var reference = ReferenceValues.Root.GetProperty("benjamini_hochberg");
        double[] pValues = reference.GetProperty("p_values").EnumerateArray().Select(p => p.GetDouble()).ToArray();
        double[] expected = reference.GetProperty("adjusted").EnumerateArray().Select(p => p.GetDouble()).ToArray();

        double[] adjusted = FalseDiscoveryRate.BenjaminiHochberg(pValues);

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], adjusted[i], Tolerance);
        }
    }

    [Fact]
    public void BenjaminiHochberg_UnsortedInput_KeepsOrder()
    {
        double[] adjusted = FalseDiscoveryRate.BenjaminiHochberg([0.04, 0.01, 0.9]);

        Assert.Equal([0.06, 0.03, 0.9], adjusted.Select(p => Math.Round(p, 10)));
    }

    [Fact]
    public void Weighted_ReferenceCase_MatchesIndependentFigures()
    {
        var reference = ReferenceValues.Root.GetProperty("weighted");
        int[] scores = reference.GetProperty("scores").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        double[] weights = reference.GetProperty("weights").EnumerateArray().Select(w => w.GetDouble()).ToArray();

        var counts = WeightedNpsCounts.FromResponses(scores.Zip(weights));

        Assert.Equal(reference.GetProperty("weighted_nps").GetDouble(), counts.Nps!.Value, Tolerance);
        Assert.Equal(reference.GetProperty("kish_effective_n").GetDouble(), counts.EffectiveN, Tolerance);
        Assert.Equal(reference.GetProperty("variance").GetDouble(), counts.Variance!.Value, Tolerance);
        Assert.Equal(reference.GetProperty("standard_error").GetDouble(), counts.StandardError!.Value, Tolerance);
    }

    [Fact]
    public void Weighted_EqualWeights_MatchesUnweighted()
    {
        var weighted = WeightedNpsCounts.FromResponses([(10, 2.0), (8, 2.0), (3, 2.0), (9, 2.0)]);
        var plain = NpsCounts.FromScores([10, 8, 3, 9]);

        Assert.Equal(plain.Nps!.Value, weighted.Nps!.Value, 1e-12);
        Assert.Equal(4, weighted.EffectiveN, 1e-12);
    }
}

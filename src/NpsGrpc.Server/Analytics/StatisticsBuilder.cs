using NpsGrpc.Domain.Scoring;
using NpsGrpc.V1;
using DomainIntervalMethod = NpsGrpc.Domain.Scoring.IntervalMethod;

namespace NpsGrpc.Server.Analytics;

/// <summary>Turns counts into the figures of the API.</summary>
public static class StatisticsBuilder
{
    /// <summary>Computes the estimate of counts (and weight sums in weighted mode).</summary>
    public static NpsEstimate Estimate(NpsCounts counts, WeightedNpsCounts weights, StatisticsOptions options) =>
        options.Weighted
            ? NpsEstimate.ComputeWeighted(counts, weights, options.ConfidenceLevel, options.Method)
            : NpsEstimate.Compute(counts, options.ConfidenceLevel, options.Method);

    /// <summary>Builds the message of an estimate.</summary>
    public static NpsStatistics ToMessage(NpsEstimate estimate, WeightedNpsCounts weights, StatisticsOptions options)
    {
        var counts = estimate.Counts;
        var statistics = new NpsStatistics
        {
            ResponseCount = counts.N,
            PromoterCount = counts.Promoters,
            PassiveCount = counts.Passives,
            DetractorCount = counts.Detractors,
            InsufficientSample = counts.N < options.MinSampleSize,
        };

        if (options.Weighted)
        {
            statistics.TotalWeight = weights.TotalWeight;
            statistics.EffectiveSampleSize = weights.EffectiveN;
            if (weights.TotalWeight > 0)
            {
                statistics.PromoterShare = weights.PromoterWeight / weights.TotalWeight;
                statistics.PassiveShare = weights.PassiveWeight / weights.TotalWeight;
                statistics.DetractorShare = weights.DetractorWeight / weights.TotalWeight;
            }
        }
        else if (counts.N > 0)
        {
            statistics.PromoterShare = (double)counts.Promoters / counts.N;
            statistics.PassiveShare = (double)counts.Passives / counts.N;
            statistics.DetractorShare = (double)counts.Detractors / counts.N;
        }

        if (estimate.Nps is { } nps)
        {
            statistics.Nps = nps;
            statistics.StandardError = estimate.StandardError!.Value;
            statistics.ConfidenceInterval = new ConfidenceInterval
            {
                Lower = estimate.Lower!.Value,
                Upper = estimate.Upper!.Value,
                Level = estimate.ConfidenceLevel,
                Method = estimate.Method == DomainIntervalMethod.Wald ? V1.IntervalMethod.Wald : V1.IntervalMethod.AdjustedWald,
            };
        }

        return statistics;
    }

    /// <summary>Builds the figures of counts in one step.</summary>
    public static NpsStatistics Build(NpsCounts counts, WeightedNpsCounts weights, StatisticsOptions options) =>
        ToMessage(Estimate(counts, weights, options), weights, options);

    /// <summary>
    /// Tests the difference of two independent estimates, or returns null when either has no NPS or both have a
    /// standard error of 0. The adjusted
    /// p-value is set to the raw one; callers that compare many pairs adjust it afterwards.
    /// </summary>
    public static NpsChange? Difference(NpsEstimate first, NpsEstimate second)
    {
        if (first.Nps is not { } firstNps || second.Nps is not { } secondNps)
        {
            return null;
        }

        double standardError = Math.Sqrt(Square(first.StandardError!.Value) + Square(second.StandardError!.Value));
        if (NpsDifference.FromEstimate(firstNps - secondNps, standardError) is not { } difference)
        {
            return null;
        }

        return new NpsChange
        {
            Difference = difference.Difference,
            StandardError = difference.StandardError,
            PValue = difference.PValue,
            AdjustedPValue = difference.PValue,
        };
    }

    /// <summary>Replaces the adjusted p-values of <paramref name="changes"/> with Benjamini-Hochberg adjusted ones.</summary>
    public static void AdjustForFalseDiscoveryRate(IReadOnlyList<NpsChange> changes)
    {
        double[] adjusted = FalseDiscoveryRate.BenjaminiHochberg(changes.Select(c => c.PValue).ToArray());
        for (int i = 0; i < changes.Count; i++)
        {
            changes[i].AdjustedPValue = adjusted[i];
        }
    }

    private static double Square(double value) => value * value;
}

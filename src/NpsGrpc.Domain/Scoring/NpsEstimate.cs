using MathNet.Numerics.Distributions;

namespace NpsGrpc.Domain.Scoring;

/// <summary>NPS of a set of responses with its standard error and confidence interval, in NPS points.</summary>
/// <param name="Counts">The category counts the figures come from.</param>
/// <param name="Nps">Unrounded NPS, or null when n = 0.</param>
/// <param name="StandardError">100 x sqrt(variance / n), or null when n = 0.</param>
/// <param name="Lower">Lower interval bound clamped to -100, or null when n = 0.</param>
/// <param name="Upper">Upper interval bound clamped to 100, or null when n = 0.</param>
/// <param name="ConfidenceLevel">Confidence level of the interval, for example 0.95.</param>
/// <param name="Method">Method of the interval.</param>
public sealed record NpsEstimate(
    NpsCounts Counts,
    double? Nps,
    double? StandardError,
    double? Lower,
    double? Upper,
    double ConfidenceLevel,
    IntervalMethod Method)
{
    /// <summary>Pseudo-responses the adjusted Wald interval adds per category: 0.75, 1.5, 0.75.</summary>
    private const double PseudoPromoters = 0.75, PseudoPassives = 1.5, PseudoDetractors = 0.75;

    /// <summary>Computes the estimate of <paramref name="counts"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is not strictly between 0 and 1.</exception>
    public static NpsEstimate Compute(NpsCounts counts, double confidenceLevel, IntervalMethod method)
    {
        double n = counts.N;
        return n == 0
            ? Empty(counts, confidenceLevel, method)
            : Core(counts, counts.Promoters / n, counts.Detractors / n, n, confidenceLevel, method);
    }

    /// <summary>
    /// Computes the weighted estimate: shares are weight sums over the total weight, and the Kish effective sample
    /// size replaces n in the standard error and in the adjusted Wald pseudo-response shares.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is not strictly between 0 and 1.</exception>
    public static NpsEstimate ComputeWeighted(
        NpsCounts counts, WeightedNpsCounts weights, double confidenceLevel, IntervalMethod method)
    {
        // Emptiness is decided by the counts: weight sums are floating point and may not be exactly 0.
        double total = weights.TotalWeight;
        return counts.N == 0 || total <= 0
            ? Empty(counts, confidenceLevel, method)
            : Core(counts, weights.PromoterWeight / total, weights.DetractorWeight / total, weights.EffectiveN, confidenceLevel, method);
    }

    private static NpsEstimate Empty(NpsCounts counts, double confidenceLevel, IntervalMethod method)
    {
        CheckLevel(confidenceLevel);
        return new NpsEstimate(counts, null, null, null, null, confidenceLevel, method);
    }

    private static NpsEstimate Core(
        NpsCounts counts, double promoterShare, double detractorShare, double n, double confidenceLevel, IntervalMethod method)
    {
        CheckLevel(confidenceLevel);
        double nps = 100 * (promoterShare - detractorShare);
        double standardError = 100 * Math.Sqrt(Variance(promoterShare, detractorShare) / n);
        double z = Normal.InvCDF(0, 1, 1 - (1 - confidenceLevel) / 2);

        (double center, double intervalError) = method switch
        {
            IntervalMethod.Wald => (nps, standardError),
            IntervalMethod.AdjustedWald => AdjustedCenterAndError(promoterShare, detractorShare, n),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown interval method."),
        };

        double lower = Math.Max(-100, center - z * intervalError);
        double upper = Math.Min(100, center + z * intervalError);
        return new NpsEstimate(counts, nps, standardError, lower, upper, confidenceLevel, method);
    }

    private static void CheckLevel(double confidenceLevel)
    {
        if (!(confidenceLevel > 0 && confidenceLevel < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(confidenceLevel), confidenceLevel, "The confidence level must be strictly between 0 and 1.");
        }
    }

    private static double Variance(double promoterShare, double detractorShare)
    {
        double difference = promoterShare - detractorShare;
        return Math.Max(0, promoterShare + detractorShare - difference * difference);
    }

    private static (double Center, double StandardError) AdjustedCenterAndError(double promoterShare, double detractorShare, double n)
    {
        double adjustedN = n + PseudoPromoters + PseudoPassives + PseudoDetractors;
        double promoters = (promoterShare * n + PseudoPromoters) / adjustedN;
        double detractors = (detractorShare * n + PseudoDetractors) / adjustedN;
        return (100 * (promoters - detractors), 100 * Math.Sqrt(Variance(promoters, detractors) / adjustedN));
    }
}

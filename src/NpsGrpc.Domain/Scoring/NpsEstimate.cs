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
        if (!(confidenceLevel > 0 && confidenceLevel < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(confidenceLevel), confidenceLevel, "The confidence level must be strictly between 0 and 1.");
        }

        if (counts.N == 0)
        {
            return new NpsEstimate(counts, null, null, null, null, confidenceLevel, method);
        }

        double nps = counts.Nps!.Value;
        double standardError = 100 * Math.Sqrt(counts.Variance!.Value / counts.N);
        double z = Normal.InvCDF(0, 1, 1 - (1 - confidenceLevel) / 2);

        (double center, double intervalError) = method switch
        {
            IntervalMethod.Wald => (nps, standardError),
            IntervalMethod.AdjustedWald => AdjustedCenterAndError(counts),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown interval method."),
        };

        double lower = Math.Max(-100, center - z * intervalError);
        double upper = Math.Min(100, center + z * intervalError);
        return new NpsEstimate(counts, nps, standardError, lower, upper, confidenceLevel, method);
    }

    private static (double Center, double StandardError) AdjustedCenterAndError(NpsCounts counts)
    {
        double promoters = counts.Promoters + PseudoPromoters;
        double detractors = counts.Detractors + PseudoDetractors;
        double n = counts.N + PseudoPromoters + PseudoPassives + PseudoDetractors;

        double promoterShare = promoters / n;
        double detractorShare = detractors / n;
        double difference = promoterShare - detractorShare;
        double variance = promoterShare + detractorShare - difference * difference;
        return (100 * difference, 100 * Math.Sqrt(variance / n));
    }
}

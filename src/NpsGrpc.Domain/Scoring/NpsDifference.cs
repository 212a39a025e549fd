using MathNet.Numerics.Distributions;

namespace NpsGrpc.Domain.Scoring;

/// <summary>
/// Difference between the NPS of two independent groups, in NPS points, with its standard error
/// sqrt(var1/n1 + var2/n2) and a two-sided p-value from the normal distribution.
/// </summary>
/// <param name="Difference">NPS of the first group minus NPS of the second, signed.</param>
/// <param name="StandardError">Standard error of the difference.</param>
/// <param name="Z">Difference divided by its standard error; 0 when both are 0.</param>
/// <param name="PValue">Two-sided p-value of the hypothesis that both groups have the same NPS.</param>
public sealed record NpsDifference(double Difference, double StandardError, double Z, double PValue)
{
    /// <summary>
    /// Compares two groups. Returns null when either is empty (an empty group has no NPS) or when both are unanimous,
    /// because the standard error is then 0 and the normal test is not defined.
    /// </summary>
    public static NpsDifference? Compute(NpsCounts first, NpsCounts second)
    {
        if (first.N == 0 || second.N == 0)
        {
            return null;
        }

        double difference = first.Nps!.Value - second.Nps!.Value;
        double standardError = 100 * Math.Sqrt(first.Variance!.Value / first.N + second.Variance!.Value / second.N);
        return FromEstimate(difference, standardError);
    }

    /// <summary>
    /// Builds the test of a difference whose standard error is already known, or returns null when that error is 0.
    /// A zero standard error comes from unanimous groups (often a single response each), where the Wald variance
    /// estimate says nothing about the uncertainty, so no p-value is given rather than a p-value of 0.
    /// </summary>
    public static NpsDifference? FromEstimate(double difference, double standardError)
    {
        if (standardError == 0)
        {
            return null;
        }

        double z = difference / standardError;
        double pValue = 2 * (1 - Normal.CDF(0, 1, Math.Abs(z)));
        return new NpsDifference(difference, standardError, z, pValue);
    }
}

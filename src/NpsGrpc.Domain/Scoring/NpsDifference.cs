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
    /// <summary>Compares two groups; returns null when either is empty, because an empty group has no NPS.</summary>
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

    /// <summary>Builds the test of a difference whose standard error is already known.</summary>
    public static NpsDifference FromEstimate(double difference, double standardError)
    {
        if (standardError == 0)
        {
            // Both groups are unanimous: any difference is certain and no difference is no evidence.
            return new NpsDifference(difference, 0, 0, difference == 0 ? 1 : 0);
        }

        double z = difference / standardError;
        double pValue = 2 * (1 - Normal.CDF(0, 1, Math.Abs(z)));
        return new NpsDifference(difference, standardError, z, pValue);
    }
}

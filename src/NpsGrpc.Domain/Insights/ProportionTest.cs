using MathNet.Numerics.Distributions;

namespace NpsGrpc.Domain.Insights;

/// <summary>Which test produced a <see cref="ProportionTestResult"/>.</summary>
public enum ProportionTestMethod
{
    /// <summary>Two-sided two-proportion z-test with the pooled proportion.</summary>
    TwoProportionZ,

    /// <summary>Two-sided Fisher's exact test.</summary>
    FisherExact,
}

/// <summary>A p-value and the test that produced it.</summary>
/// <param name="PValue">Two-sided p-value, 0 to 1.</param>
/// <param name="Method">The test used.</param>
public sealed record ProportionTestResult(double PValue, ProportionTestMethod Method);

/// <summary>
/// Tests whether a category's rate differs between the responses that hold a value (or combination) and the rest:
/// the 2x2 table of holders and non-holders against in and out of the category.
/// </summary>
public static class ProportionTest
{
    /// <summary>Smallest expected cell count for which the normal approximation of the z-test is used.</summary>
    public const double MinExpectedCount = 5;

    /// <summary>
    /// Tests the table, or returns null when a row or column is empty, because every table with those margins is
    /// then the same. Uses the two-proportion z-test when every expected count is at least
    /// <see cref="MinExpectedCount"/>, and Fisher's exact test otherwise.
    /// </summary>
    /// <param name="holderCategoryCount">Holders in the category.</param>
    /// <param name="holderCount">Holders.</param>
    /// <param name="categoryCount">Responses in the category, holders or not.</param>
    /// <param name="totalCount">Every response.</param>
    public static ProportionTestResult? Compute(long holderCategoryCount, long holderCount, long categoryCount, long totalCount)
    {
        long restCount = totalCount - holderCount;
        long outsideCount = totalCount - categoryCount;
        if (holderCount <= 0 || restCount <= 0 || categoryCount <= 0 || outsideCount <= 0)
        {
            return null;
        }

        double minExpected = (double)Math.Min(holderCount, restCount) * Math.Min(categoryCount, outsideCount) / totalCount;
        if (minExpected < MinExpectedCount && totalCount <= int.MaxValue)
        {
            return new ProportionTestResult(
                FisherExact((int)holderCategoryCount, (int)holderCount, (int)categoryCount, (int)totalCount),
                ProportionTestMethod.FisherExact);
        }

        double pooled = (double)categoryCount / totalCount;
        double holderRate = (double)holderCategoryCount / holderCount;
        double restRate = (double)(categoryCount - holderCategoryCount) / restCount;
        double standardError = Math.Sqrt(pooled * (1 - pooled) * (1.0 / holderCount + 1.0 / restCount));
        double z = (holderRate - restRate) / standardError;
        return new ProportionTestResult(2 * Normal.CDF(0, 1, -Math.Abs(z)), ProportionTestMethod.TwoProportionZ);
    }

    /// <summary>
    /// Returns the two-sided p-value of Fisher's exact test: the total hypergeometric probability of the tables with
    /// the observed margins that are no more likely than the observed table (Fisher 1935, The Design of Experiments).
    /// </summary>
    public static double FisherExact(int holderCategoryCount, int holderCount, int categoryCount, int totalCount)
    {
        int lowest = Math.Max(0, holderCount + categoryCount - totalCount);
        int highest = Math.Min(holderCount, categoryCount);
        double observed = Hypergeometric.PMFLn(totalCount, categoryCount, holderCount, holderCategoryCount);

        // The relative tolerance keeps tables exactly as likely as the observed one from being lost to rounding.
        double threshold = observed + 1e-7;
        double sum = 0;
        for (int k = lowest; k <= highest; k++)
        {
            double logProbability = Hypergeometric.PMFLn(totalCount, categoryCount, holderCount, k);
            if (logProbability <= threshold)
            {
                sum += Math.Exp(logProbability);
            }
        }

        return Math.Min(1, sum);
    }
}

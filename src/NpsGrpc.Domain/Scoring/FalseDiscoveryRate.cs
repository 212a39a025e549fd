namespace NpsGrpc.Domain.Scoring;

/// <summary>Multiple-comparison adjustment of p-values.</summary>
public static class FalseDiscoveryRate
{
    /// <summary>
    /// Returns Benjamini-Hochberg adjusted p-values (step-up, capped at 1) in the order given: for the p-value of
    /// rank i among m, min over j >= i of p(j) x m / j (Benjamini and Hochberg 1995, "Controlling the False
    /// Discovery Rate", Journal of the Royal Statistical Society B).
    /// </summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> pValues)
    {
        int m = pValues.Count;
        var adjusted = new double[m];
        int[] order = Enumerable.Range(0, m).OrderByDescending(i => pValues[i]).ToArray();

        double running = 1;
        for (int k = 0; k < m; k++)
        {
            int index = order[k];
            int rank = m - k;
            running = Math.Min(running, pValues[index] * m / rank);
            adjusted[index] = running;
        }

        return adjusted;
    }
}

namespace NpsGrpc.Domain.Scoring;

/// <summary>Method of an NPS confidence interval.</summary>
public enum IntervalMethod
{
    /// <summary>NPS +/- z x SE on the observed counts.</summary>
    Wald,

    /// <summary>
    /// The Wald formula after adding 0.75 promoter, 1.5 passive and 0.75 detractor
    /// pseudo-responses (Rocks 2016, "Interval Estimation for the Net Promoter Score",
    /// The American Statistician).
    /// </summary>
    AdjustedWald,
}

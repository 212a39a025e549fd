namespace NpsGrpc.Domain.Insights;

/// <summary>How strongly a term marks the first corpus against the second.</summary>
/// <param name="Term">The term.</param>
/// <param name="FirstCount">Occurrences in the first corpus.</param>
/// <param name="SecondCount">Occurrences in the second corpus.</param>
/// <param name="LogOddsRatio">Log-odds ratio with the prior, first against second; positive for terms of the first.</param>
/// <param name="Z">The log-odds ratio over its estimated standard deviation.</param>
public sealed record TermScore(string Term, long FirstCount, long SecondCount, double LogOddsRatio, double Z);

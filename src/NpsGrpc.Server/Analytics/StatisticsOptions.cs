using NpsGrpc.Domain.Scoring;

namespace NpsGrpc.Server.Analytics;

/// <summary>How figures are computed for one request: interval level and method, minimum n, weighting.</summary>
public sealed record StatisticsOptions(double ConfidenceLevel, IntervalMethod Method, int MinSampleSize, bool Weighted);

using NpsGrpc.Domain.Scoring;

namespace NpsGrpc.Storage.Queries;

/// <summary>Counts of one group of a <see cref="CountQuery"/>.</summary>
/// <param name="GroupValues">Values of the grouping attributes, in order; null where the attribute is missing.</param>
/// <param name="Bucket">Local first date of the time bucket, when the query has buckets.</param>
/// <param name="Counts">Category counts.</param>
/// <param name="Weights">Weight sums; zero when the query is not weighted.</param>
public sealed record CountRow(IReadOnlyList<string?> GroupValues, DateOnly? Bucket, NpsCounts Counts, WeightedNpsCounts Weights);

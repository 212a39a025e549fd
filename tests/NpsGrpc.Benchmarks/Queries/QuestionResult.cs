namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Timings of one question on the three engines and how DuckDB's counts compare with the server's.</summary>
/// <param name="Label">The question.</param>
/// <param name="Rollup">The server with rollups enabled.</param>
/// <param name="Raw">The server with <c>Rollups:UseForQueries=false</c>, which reads the raw rows.</param>
/// <param name="DuckDb">DuckDB over an in-memory copy of the rows.</param>
/// <param name="Keys">Keys of the server's result: the overall figures, groups or buckets.</param>
/// <param name="DuckDbDifferences">Keys whose DuckDB counts differ from the server's, or empty.</param>
public sealed record QuestionResult(
    string Label,
    QueryTiming Rollup,
    QueryTiming Raw,
    QueryTiming DuckDb,
    int Keys,
    IReadOnlyList<string> DuckDbDifferences)
{
    /// <summary>The product's target for the median of a query through the server.</summary>
    public static readonly TimeSpan TargetMedian = TimeSpan.FromMilliseconds(100);

    /// <summary>Median of the rollup path divided by DuckDB's median.</summary>
    public double RatioToDuckDb => Rollup.Median / DuckDb.Median;

    /// <summary>Whether the rollup path's median is under the target and no slower than DuckDB's.</summary>
    public bool MeetsTargets => Rollup.Median < TargetMedian && Rollup.Median <= DuckDb.Median;
}

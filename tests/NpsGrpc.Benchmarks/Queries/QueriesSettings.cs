namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Parameters of one query benchmark run.</summary>
/// <param name="Rows">Responses loaded before the queries.</param>
/// <param name="Repeats">Timed runs of each question on the rollup path and in DuckDB, after two warm-up runs.</param>
/// <param name="RawRepeats">Timed runs of each question on the raw-row path, after one warm-up run.</param>
/// <param name="Seed">Seed of the response generator; the same seed yields the same rows.</param>
/// <param name="KeepDatabase">Whether to leave the database in place at the end, for EXPLAIN and the like.</param>
public sealed record QueriesSettings(int Rows, int Repeats, int RawRepeats, int Seed, bool KeepDatabase)
{
    /// <summary>Concurrent StreamResponses calls of the load.</summary>
    public const int Streams = 2;

    /// <summary>Responses per StreamResponses batch, the server's default maximum.</summary>
    public const int BatchSize = 5000;

    /// <summary>Untimed runs before the timed runs on the rollup path and in DuckDB.</summary>
    public const int WarmUps = 2;

    /// <summary>Untimed runs before the timed runs on the raw-row path, fewer because each takes seconds.</summary>
    public const int RawWarmUps = 1;
}

namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>Parameters of one ingest benchmark run.</summary>
/// <param name="Rows">Responses loaded by every timed run.</param>
/// <param name="BatchSize">Responses per StreamResponses batch.</param>
/// <param name="Streams">Concurrent StreamResponses calls, one entry per variant; rounds cycle through them.</param>
/// <param name="Seed">Seed of the response generator; the same seed yields the same rows.</param>
/// <param name="Rounds">Rounds of one gRPC run and one psql run each; the order alternates between rounds.</param>
public sealed record IngestSettings(int Rows, int BatchSize, IReadOnlyList<int> Streams, int Seed, int Rounds);

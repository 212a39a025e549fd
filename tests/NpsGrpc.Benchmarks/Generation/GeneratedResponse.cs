namespace NpsGrpc.Benchmarks.Generation;

/// <summary>One generated survey response, the source of both the gRPC messages and the CSV rows.</summary>
/// <param name="ResponseId">UUID version 7 whose timestamp is <paramref name="RespondedAt"/>.</param>
/// <param name="CustomerId">Customer id from a pool of about a quarter as many customers as responses.</param>
/// <param name="Score">Score 0 to 10.</param>
/// <param name="RespondedAt">UTC instant with microsecond precision, the precision PostgreSQL stores.</param>
/// <param name="Comment">Short comment, or null for none.</param>
/// <param name="Region">Value of the <c>region</c> attribute.</param>
/// <param name="Plan">Value of the <c>plan</c> attribute.</param>
/// <param name="Channel">Value of the <c>channel</c> attribute.</param>
public readonly record struct GeneratedResponse(
    string ResponseId,
    string CustomerId,
    int Score,
    DateTime RespondedAt,
    string? Comment,
    string Region,
    string Plan,
    string Channel);

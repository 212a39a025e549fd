namespace NpsGrpc.Storage.Ingest;

/// <summary>Outcome of writing one batch of responses.</summary>
/// <param name="InsertedCount">Responses added by the batch.</param>
/// <param name="ExistingItems">
/// Positions (in the list given to the writer) of responses whose id was already stored, each with whether
/// the stored content is identical (a duplicate) or not (a conflict).
/// </param>
public sealed record ResponseBatchWrite(int InsertedCount, IReadOnlyList<ExistingResponse> ExistingItems);

/// <summary>A response whose id was already stored.</summary>
/// <param name="Position">Position in the list given to the writer.</param>
/// <param name="IsIdentical">True when the stored content matches, so the item is a harmless duplicate.</param>
public readonly record struct ExistingResponse(int Position, bool IsIdentical);

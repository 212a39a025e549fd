namespace NpsGrpc.Domain.Validation;

/// <summary>A response that passed validation, normalised for storage.</summary>
/// <param name="ResponseId">Client-chosen id.</param>
/// <param name="CustomerId">Customer id.</param>
/// <param name="Score">Score 0 to 10.</param>
/// <param name="RespondedAt">UTC instant truncated to microseconds, the precision PostgreSQL keeps.</param>
/// <param name="Comment">Comment, or null for none.</param>
/// <param name="Attributes">Attributes ordered by key (ordinal).</param>
/// <param name="Weight">Weight, or null for the default of 1.</param>
/// <param name="ContentHash">Fingerprint of everything but the ids, used to tell a retry from a conflict.</param>
public sealed record ValidatedResponse(
    string ResponseId,
    string CustomerId,
    short Score,
    DateTime RespondedAt,
    string? Comment,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    double? Weight,
    byte[] ContentHash);

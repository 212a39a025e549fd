namespace NpsGrpc.Domain.Validation;

/// <summary>A response as received, before validation.</summary>
/// <param name="ResponseId">Client-chosen id, unique within the survey.</param>
/// <param name="CustomerId">Id of the customer who answered.</param>
/// <param name="Score">The score, or null when the sender left it out.</param>
/// <param name="RespondedAt">Seconds and nanoseconds since the Unix epoch, or null when missing.</param>
/// <param name="Comment">Open comment; empty means none.</param>
/// <param name="Attributes">Response attributes.</param>
/// <param name="Weight">Optional weight; null means 1.</param>
public sealed record ResponseInput(
    string ResponseId,
    string CustomerId,
    int? Score,
    (long Seconds, int Nanos)? RespondedAt,
    string Comment,
    IReadOnlyDictionary<string, string> Attributes,
    double? Weight);

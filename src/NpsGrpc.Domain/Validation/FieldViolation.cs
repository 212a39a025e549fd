namespace NpsGrpc.Domain.Validation;

/// <summary>A broken rule on one field: its path within the item and a message naming the value and the rule.</summary>
public sealed record FieldViolation(string FieldPath, string Message);

namespace NpsGrpc.Domain.Validation;

/// <summary>Either a valid value or the rule it broke.</summary>
public readonly record struct ValidationResult<T>(T? Value, FieldViolation? Violation)
    where T : class
{
    /// <summary>True when the item is valid and <see cref="Value"/> is set.</summary>
    public bool IsValid => Violation is null;

    /// <summary>A valid result.</summary>
    public static ValidationResult<T> Success(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static ValidationResult<T> Failure(FieldViolation violation) => new(null, violation);
}

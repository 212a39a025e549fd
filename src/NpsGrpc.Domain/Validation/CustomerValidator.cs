namespace NpsGrpc.Domain.Validation;

/// <summary>A customer attribute upsert as received.</summary>
/// <param name="CustomerId">Customer id.</param>
/// <param name="Attributes">Keys to replace, each with its new values; an empty list removes the key.</param>
public sealed record CustomerInput(string CustomerId, IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes);

/// <summary>A customer upsert that passed validation.</summary>
/// <param name="CustomerId">Customer id.</param>
/// <param name="Attributes">Keys to replace, ordered by key, each with its distinct values in the order given.</param>
public sealed record ValidatedCustomer(string CustomerId, IReadOnlyList<KeyValuePair<string, string[]>> Attributes);

/// <summary>Checks customer upserts against <see cref="IngestLimits"/>.</summary>
public sealed class CustomerValidator(IngestLimits limits)
{
    /// <summary>Validates <paramref name="input"/> and returns the normalised upsert, or the first broken rule.</summary>
    public ValidationResult<ValidatedCustomer> Validate(CustomerInput input)
    {
        if (Identifiers.CheckId(input.CustomerId, limits.MaxIdLength) is { } idProblem)
        {
            return Fail("customer_id", $"customer_id {idProblem}");
        }

        if (input.Attributes.Count > limits.MaxAttributes)
        {
            return Fail("attributes", $"attributes has {input.Attributes.Count} entries; the maximum is {limits.MaxAttributes}");
        }

        var normalised = new List<KeyValuePair<string, string[]>>(input.Attributes.Count);
        foreach ((string key, IReadOnlyList<string> values) in input.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (!Identifiers.IsAttributeKey(key))
            {
                string shown = Identifiers.Shorten(key);
                return Fail(
                    $"attributes[{shown}]",
                    $"attribute key '{shown}' is invalid; a key is a letter followed by letters, digits or " +
                    $"underscores, at most {Identifiers.MaxAttributeKeyLength} characters");
            }

            if (values.Count > limits.MaxValuesPerCustomerAttribute)
            {
                return Fail(
                    $"attributes[{key}].values",
                    $"attribute '{key}' has {values.Count} values; the maximum is {limits.MaxValuesPerCustomerAttribute}");
            }

            for (int i = 0; i < values.Count; i++)
            {
                if (values[i].Length == 0)
                {
                    return Fail($"attributes[{key}].values[{i}]", $"attribute '{key}' has an empty value");
                }

                if (Identifiers.CheckText(values[i], limits.MaxAttributeValueLength) is { } problem)
                {
                    return Fail($"attributes[{key}].values[{i}]", $"attribute '{key}' value {problem}");
                }
            }

            normalised.Add(new(key, values.Distinct(StringComparer.Ordinal).ToArray()));
        }

        return ValidationResult<ValidatedCustomer>.Success(new ValidatedCustomer(input.CustomerId, normalised));
    }

    private static ValidationResult<ValidatedCustomer> Fail(string fieldPath, string message) =>
        ValidationResult<ValidatedCustomer>.Failure(new FieldViolation(fieldPath, message));
}

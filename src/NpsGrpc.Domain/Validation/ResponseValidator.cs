using NpsGrpc.Domain.Scoring;

namespace NpsGrpc.Domain.Validation;

/// <summary>Checks responses against <see cref="IngestLimits"/> and normalises the valid ones.</summary>
public sealed class ResponseValidator(IngestLimits limits)
{
    private const long MicrosecondsPerSecond = 1_000_000;

    /// <summary>Earliest accepted responded_at: no NPS survey predates 1990.</summary>
    public static readonly DateTime EarliestRespondedAt = new(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The limits applied.</summary>
    public IngestLimits Limits => limits;

    /// <summary>
    /// Validates <paramref name="input"/> and returns the normalised response, or the first broken rule.
    /// </summary>
    /// <param name="input">The response as received.</param>
    /// <param name="nowUtc">Current time, against which the allowed future skew is measured.</param>
    public ValidationResult<ValidatedResponse> Validate(ResponseInput input, DateTime nowUtc)
    {
        if (Identifiers.CheckId(input.ResponseId, limits.MaxIdLength) is { } idProblem)
        {
            return Fail("response_id", $"response_id {idProblem}");
        }

        if (Identifiers.CheckId(input.CustomerId, limits.MaxIdLength) is { } customerProblem)
        {
            return Fail("customer_id", $"customer_id {customerProblem}");
        }

        if (input.Score is not { } score)
        {
            return Fail("score", "score is required");
        }

        if (score is < ScoreCategories.MinScore or > ScoreCategories.MaxScore)
        {
            return Fail("score", $"score {score} is out of range; a score is an integer from 0 to 10");
        }

        if (CheckRespondedAt(input.RespondedAt, nowUtc, out DateTime respondedAt) is { } timeProblem)
        {
            return Fail("responded_at", timeProblem);
        }

        if (Identifiers.CheckText(input.Comment, limits.MaxCommentLength) is { } commentProblem)
        {
            return Fail("comment", $"comment {commentProblem}");
        }

        if (CheckAttributes(input.Attributes) is { } attributeViolation)
        {
            return ValidationResult<ValidatedResponse>.Failure(attributeViolation);
        }

        if (input.Weight is { } weight && !(double.IsFinite(weight) && weight >= limits.MinWeight && weight <= limits.MaxWeight))
        {
            return Fail("weight", $"weight {weight} is invalid; it must be from {limits.MinWeight} to {limits.MaxWeight}");
        }

        // A weight of 1 is the same content as no weight, so resending either form is a duplicate, not a conflict.
        double? normalizedWeight = input.Weight == 1 ? null : input.Weight;

        var attributes = input.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).ToArray();
        string? comment = input.Comment.Length == 0 ? null : input.Comment;
        byte[] hash = ContentFingerprint.Compute(input.CustomerId, (short)score, respondedAt, comment, attributes, normalizedWeight);
        return ValidationResult<ValidatedResponse>.Success(new ValidatedResponse(
            input.ResponseId, input.CustomerId, (short)score, respondedAt, comment, attributes, normalizedWeight, hash));
    }

    private string? CheckRespondedAt((long Seconds, int Nanos)? value, DateTime nowUtc, out DateTime respondedAt)
    {
        respondedAt = default;
        if (value is not { } time)
        {
            return "responded_at is required";
        }

        long earliest = (EarliestRespondedAt - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond;
        long latest = (nowUtc + limits.MaxFutureSkew - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond;
        if (time.Nanos is < 0 or > 999_999_999)
        {
            return $"responded_at has nanos {time.Nanos}; nanos must be from 0 to 999999999";
        }

        if (time.Seconds < earliest)
        {
            return $"responded_at {FormatSeconds(time.Seconds)} is before the earliest accepted instant {EarliestRespondedAt:O}";
        }

        if (time.Seconds > latest)
        {
            return $"responded_at {FormatSeconds(time.Seconds)} is more than {limits.MaxFutureSkew} in the future";
        }

        long micros = time.Seconds * MicrosecondsPerSecond + time.Nanos / 1000;
        respondedAt = DateTime.UnixEpoch.AddTicks(micros * (TimeSpan.TicksPerSecond / MicrosecondsPerSecond));
        if (respondedAt > nowUtc + limits.MaxFutureSkew)
        {
            return $"responded_at {respondedAt:O} is more than {limits.MaxFutureSkew} in the future";
        }

        return null;
    }

    private static string FormatSeconds(long seconds) =>
        seconds is > -62_135_596_800 and < 253_402_300_800
            ? DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("O")
            : $"{seconds} s after the Unix epoch";

    private FieldViolation? CheckAttributes(IReadOnlyDictionary<string, string> attributes)
    {
        if (attributes.Count > limits.MaxAttributes)
        {
            return new FieldViolation(
                "attributes", $"attributes has {attributes.Count} entries; the maximum is {limits.MaxAttributes}");
        }

        foreach ((string key, string value) in attributes)
        {
            if (!Identifiers.IsAttributeKey(key))
            {
                return new FieldViolation(
                    $"attributes[{Identifiers.Shorten(key)}]",
                    $"attribute key '{Identifiers.Shorten(key)}' is invalid; a key is a letter followed by letters, digits or " +
                    $"underscores, at most {Identifiers.MaxAttributeKeyLength} characters");
            }

            if (value.Length == 0)
            {
                return new FieldViolation($"attributes[{key}]", $"attribute '{key}' has an empty value; leave the attribute out instead");
            }

            if (Identifiers.CheckText(value, limits.MaxAttributeValueLength) is { } problem)
            {
                return new FieldViolation($"attributes[{key}]", $"attribute '{key}' value {problem}");
            }
        }

        return null;
    }

    private static ValidationResult<ValidatedResponse> Fail(string fieldPath, string message) =>
        ValidationResult<ValidatedResponse>.Failure(new FieldViolation(fieldPath, message));
}

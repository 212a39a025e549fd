using NpsGrpc.Domain.Validation;

namespace NpsGrpc.Domain.Tests;

public sealed class ResponseValidatorTests
{
    private static readonly DateTime Now = new(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);
    private static readonly ResponseValidator Validator = new(new IngestLimits());

    private static ResponseInput Valid() => new(
        "r-1",
        "c-1",
        9,
        (new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds(), 123_456_789),
        "Great support",
        new Dictionary<string, string> { ["channel"] = "email", ["Touchpoint_2"] = "checkout" },
        null);

    [Fact]
    public void Validate_ValidResponse_NormalisesFields()
    {
        var result = Validator.Validate(Valid(), Now);

        Assert.True(result.IsValid);
        var response = result.Value!;
        Assert.Equal((short)9, response.Score);
        Assert.Equal(DateTimeKind.Utc, response.RespondedAt.Kind);
        Assert.Equal(new DateTime(2026, 12, 1, 8, 30, 0, DateTimeKind.Utc).AddTicks(1_234_560), response.RespondedAt);
        Assert.Equal(["Touchpoint_2", "channel"], response.Attributes.Select(a => a.Key));
        Assert.Equal(ContentFingerprint.Length, response.ContentHash.Length);
    }

    [Fact]
    public void Validate_EmptyComment_StoresNoComment()
    {
        var result = Validator.Validate(Valid() with { Comment = "" }, Now);

        Assert.Null(result.Value!.Comment);
    }

    public static TheoryData<string, ResponseInput, string> InvalidCases() => new()
    {
        { "missing response id", Valid() with { ResponseId = "" }, "response_id" },
        { "long response id", Valid() with { ResponseId = new string('x', 129) }, "response_id" },
        { "control character in id", Valid() with { ResponseId = "a\u0001b" }, "response_id" },
        { "missing customer id", Valid() with { CustomerId = "" }, "customer_id" },
        { "missing score", Valid() with { Score = null }, "score" },
        { "score below range", Valid() with { Score = -1 }, "score" },
        { "score above range", Valid() with { Score = 11 }, "score" },
        { "missing time", Valid() with { RespondedAt = null }, "responded_at" },
        { "bad nanos", Valid() with { RespondedAt = (1_700_000_000, 1_000_000_000) }, "responded_at" },
        { "far future", Valid() with { RespondedAt = (new DateTimeOffset(Now).ToUnixTimeSeconds() + 3600, 0) }, "responded_at" },
        { "before 1990", Valid() with { RespondedAt = (0, 0) }, "responded_at" },
        { "huge seconds", Valid() with { RespondedAt = (long.MaxValue, 0) }, "responded_at" },
        { "long comment", Valid() with { Comment = new string('c', 8001) }, "comment" },
        { "NUL in comment", Valid() with { Comment = "bad\0text" }, "comment" },
        { "bad attribute key", Valid() with { Attributes = new Dictionary<string, string> { ["1st"] = "x" } }, "attributes[1st]" },
        { "dash in key", Valid() with { Attributes = new Dictionary<string, string> { ["a-b"] = "x" } }, "attributes[a-b]" },
        { "empty attribute value", Valid() with { Attributes = new Dictionary<string, string> { ["plan"] = "" } }, "attributes[plan]" },
        { "long attribute value", Valid() with { Attributes = new Dictionary<string, string> { ["plan"] = new string('v', 257) } }, "attributes[plan]" },
        { "too many attributes", Valid() with { Attributes = Enumerable.Range(0, 33).ToDictionary(i => $"k{i}", _ => "v") }, "attributes" },
        { "zero weight", Valid() with { Weight = 0 }, "weight" },
        { "NaN weight", Valid() with { Weight = double.NaN }, "weight" },
        { "huge weight", Valid() with { Weight = 2e6 }, "weight" },
        { "tiny weight", Valid() with { Weight = 1e-200 }, "weight" },
        { "129 emoji id", Valid() with { ResponseId = string.Concat(Enumerable.Repeat("\U0001F600", 129)) }, "response_id" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Validate_InvalidField_NamesField(string scenario, ResponseInput input, string fieldPath)
    {
        var result = Validator.Validate(input, Now);

        Assert.False(result.IsValid, scenario);
        Assert.Equal(fieldPath, result.Violation!.FieldPath);
        Assert.False(string.IsNullOrWhiteSpace(result.Violation.Message));
    }

    [Fact]
    public void Validate_ScoreOutOfRange_MessageNamesValueAndRule()
    {
        var result = Validator.Validate(Valid() with { Score = 11 }, Now);

        Assert.Contains("11", result.Violation!.Message);
        Assert.Contains("0 to 10", result.Violation.Message);
    }

    [Fact]
    public void Validate_WithinSkew_IsAccepted()
    {
        long fourMinutesAhead = new DateTimeOffset(Now).ToUnixTimeSeconds() + 240;

        Assert.True(Validator.Validate(Valid() with { RespondedAt = (fourMinutesAhead, 0) }, Now).IsValid);
    }

    [Fact]
    public void Validate_CustomSkew_IsApplied()
    {
        var strict = new ResponseValidator(new IngestLimits { MaxFutureSkew = TimeSpan.FromSeconds(10) });
        long oneMinuteAhead = new DateTimeOffset(Now).ToUnixTimeSeconds() + 60;

        Assert.False(strict.Validate(Valid() with { RespondedAt = (oneMinuteAhead, 0) }, Now).IsValid);
    }

    [Fact]
    public void Validate_128EmojiId_IsAccepted()
    {
        var result = Validator.Validate(Valid() with { ResponseId = string.Concat(Enumerable.Repeat("\U0001F600", 128)) }, Now);

        Assert.True(result.IsValid);
    }

    [Fact]
    public void Validate_WeightOne_SameAsNoWeight()
    {
        var explicitOne = Validator.Validate(Valid() with { Weight = 1 }, Now).Value!;
        var absent = Validator.Validate(Valid() with { Weight = null }, Now).Value!;

        Assert.Null(explicitOne.Weight);
        Assert.Equal(absent.ContentHash, explicitOne.ContentHash);
    }

    [Fact]
    public void Validate_SameContent_GivesSameFingerprint()
    {
        var first = Validator.Validate(Valid(), Now).Value!;
        var reordered = Validator.Validate(
            Valid() with { Attributes = new Dictionary<string, string> { ["Touchpoint_2"] = "checkout", ["channel"] = "email" } }, Now).Value!;

        Assert.Equal(first.ContentHash, reordered.ContentHash);
    }

    public static TheoryData<string, ResponseInput> ChangedContent() => new()
    {
        { "score", Valid() with { Score = 10 } },
        { "customer", Valid() with { CustomerId = "c-2" } },
        { "time", Valid() with { RespondedAt = (Valid().RespondedAt!.Value.Seconds + 1, 0) } },
        { "comment", Valid() with { Comment = "Great support!" } },
        { "no comment", Valid() with { Comment = "" } },
        { "attribute value", Valid() with { Attributes = new Dictionary<string, string> { ["channel"] = "web" } } },
        { "weight", Valid() with { Weight = 2.5 } },
    };

    [Theory]
    [MemberData(nameof(ChangedContent))]
    public void Validate_ChangedField_ChangesFingerprint(string field, ResponseInput changed)
    {
        var original = Validator.Validate(Valid(), Now).Value!;
        var other = Validator.Validate(changed, Now).Value!;

        Assert.False(original.ContentHash.SequenceEqual(other.ContentHash), field);
    }
}

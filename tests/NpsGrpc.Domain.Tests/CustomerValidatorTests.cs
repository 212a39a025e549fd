using NpsGrpc.Domain.Validation;

namespace NpsGrpc.Domain.Tests;

public sealed class CustomerValidatorTests
{
    private static readonly CustomerValidator Validator = new(new IngestLimits());

    private static CustomerInput Customer(params (string Key, string[] Values)[] attributes) =>
        new("c-1", attributes.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Values));

    [Fact]
    public void Validate_RepeatedValues_KeepsDistinctInOrder()
    {
        var result = Validator.Validate(Customer(("segment", ["Free", "SelfServe", "Free"])));

        Assert.True(result.IsValid);
        Assert.Equal(["Free", "SelfServe"], result.Value!.Attributes.Single().Value);
    }

    [Fact]
    public void Validate_EmptyValueList_MeansRemoval()
    {
        var result = Validator.Validate(Customer(("plan", [])));

        Assert.True(result.IsValid);
        Assert.Empty(result.Value!.Attributes.Single().Value);
    }

    [Theory]
    [InlineData("", "customer_id")]
    [InlineData("9lives", "attributes[9lives]")]
    public void Validate_BadIdOrKey_NamesField(string keyOrEmptyId, string fieldPath)
    {
        var input = fieldPath == "customer_id"
            ? new CustomerInput("", new Dictionary<string, IReadOnlyList<string>>())
            : Customer((keyOrEmptyId, ["x"]));

        var result = Validator.Validate(input);

        Assert.Equal(fieldPath, result.Violation!.FieldPath);
    }

    [Fact]
    public void Validate_EmptyValue_IsRejected()
    {
        var result = Validator.Validate(Customer(("plan", ["pro", ""])));

        Assert.Equal("attributes[plan].values[1]", result.Violation!.FieldPath);
    }

    [Fact]
    public void Validate_TooManyValues_IsRejected()
    {
        var result = Validator.Validate(Customer(("tags", Enumerable.Range(0, 65).Select(i => $"t{i}").ToArray())));

        Assert.Equal("attributes[tags].values", result.Violation!.FieldPath);
    }
}

using NpsGrpc.Cli;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

public sealed class ConditionParserTests
{
    [Theory]
    [InlineData("channel=web", ConditionOperator.Equals, new[] { "web" })]
    [InlineData("channel!=web", ConditionOperator.NotEquals, new[] { "web" })]
    [InlineData("channel=web|email", ConditionOperator.In, new[] { "web", "email" })]
    [InlineData("channel!=web|email|app", ConditionOperator.NotIn, new[] { "web", "email", "app" })]
    [InlineData("channel?", ConditionOperator.Present, new string[0])]
    [InlineData("!channel", ConditionOperator.Missing, new string[0])]
    [InlineData("campaign=utm=spring", ConditionOperator.Equals, new[] { "utm=spring" })]
    [InlineData("campaign!=a=b", ConditionOperator.NotEquals, new[] { "a=b" })]
    [InlineData("campaign==x", ConditionOperator.Equals, new[] { "=x" })]
    [InlineData("airline=Prep Air", ConditionOperator.Equals, new[] { "Prep Air" })]
    [InlineData("note= padded ", ConditionOperator.Equals, new[] { " padded " })]
    [InlineData("airline=Prep Air|Blick Inc", ConditionOperator.In, new[] { "Prep Air", "Blick Inc" })]
    [InlineData(@"path=a\|b", ConditionOperator.Equals, new[] { "a|b" })]
    [InlineData(@"path=a\\|b", ConditionOperator.In, new[] { @"a\", "b" })]
    [InlineData(@"path=C:\temp", ConditionOperator.Equals, new[] { @"C:\temp" })]
    [InlineData("answer=?", ConditionOperator.Equals, new[] { "?" })]
    [InlineData("answer=!", ConditionOperator.Equals, new[] { "!" })]
    [InlineData("plan_2=pro", ConditionOperator.Equals, new[] { "pro" })]
    public void TryParse_ValidCondition_ReturnsCondition(
        string text, ConditionOperator expectedOperator, string[] expectedValues)
    {
        AttributeCondition? condition = ConditionParser.TryParse(text, AttributeScope.Response, out string? error);

        Assert.Null(error);
        Assert.NotNull(condition);
        Assert.Equal(expectedOperator, condition.Operator);
        Assert.Equal(expectedValues, condition.Values);
        Assert.Equal(AttributeScope.Response, condition.Scope);
    }

    [Theory]
    [InlineData("channel=web", "channel")]
    [InlineData("channel!=web", "channel")]
    [InlineData("channel?", "channel")]
    [InlineData("!channel", "channel")]
    [InlineData("campaign=utm=spring", "campaign")]
    public void TryParse_ValidCondition_ReadsKey(string text, string expectedKey)
    {
        AttributeCondition? condition = ConditionParser.TryParse(text, AttributeScope.Response, out _);

        Assert.Equal(expectedKey, condition?.Key);
    }

    [Fact]
    public void TryParse_CustomerScope_KeepsScope()
    {
        AttributeCondition? condition = ConditionParser.TryParse("segment=Free", AttributeScope.Customer, out _);

        Assert.Equal(AttributeScope.Customer, condition?.Scope);
    }

    [Theory]
    [InlineData("", "is invalid")]
    [InlineData("channel", "is invalid")]
    [InlineData("=web", "has no attribute key")]
    [InlineData("!=web", "has no attribute key")]
    [InlineData("!", "has no attribute key")]
    [InlineData("?", "has no attribute key")]
    [InlineData("channel=", "has no value")]
    [InlineData("channel!=", "has no value")]
    [InlineData("channel=a||b", "empty value")]
    [InlineData("channel=|a", "empty value")]
    [InlineData("channel=a|", "empty value")]
    [InlineData("chan nel=web", "key 'chan nel'")]
    [InlineData(" channel=web", "key ' channel'")]
    [InlineData("1channel=web", "key '1channel'")]
    [InlineData("!channel?", "key 'channel?'")]
    [InlineData("channel-name?", "key 'channel-name'")]
    public void TryParse_Malformed_ReturnsError(string text, string expectedMessagePart)
    {
        AttributeCondition? condition = ConditionParser.TryParse(text, AttributeScope.Response, out string? error);

        Assert.Null(condition);
        Assert.NotNull(error);
        Assert.Contains(expectedMessagePart, error);
    }

    [Fact]
    public void TryParse_KeyOfMaxLength_Accepted()
    {
        string key = "k" + new string('x', AttributeMapping.MaxKeyLength - 1);

        AttributeCondition? condition = ConditionParser.TryParse(key + "=v", AttributeScope.Response, out _);

        Assert.Equal(key, condition?.Key);
    }

    [Fact]
    public void TryParse_KeyTooLong_ReturnsError()
    {
        string key = "k" + new string('x', AttributeMapping.MaxKeyLength);

        AttributeCondition? condition = ConditionParser.TryParse(key + "=v", AttributeScope.Response, out string? error);

        Assert.Null(condition);
        Assert.Contains($"at most {AttributeMapping.MaxKeyLength} characters", error);
    }

    [Fact]
    public void ParseAll_Malformed_ThrowsUsageErrorNamingOption()
    {
        var exception = Assert.Throws<UsageException>(() =>
            ConditionParser.ParseAll(["channel=web", "region"], AttributeScope.Customer, "--where-customer"));

        Assert.StartsWith("--where-customer: ", exception.Message);
        Assert.Contains("'region'", exception.Message);
    }

    [Fact]
    public void ParseAll_Valid_KeepsOrder()
    {
        var conditions = ConditionParser.ParseAll(["b=1", "!a", "c?"], AttributeScope.Response, "--where");

        Assert.Equal(["b", "a", "c"], conditions.Select(condition => condition.Key));
    }
}

using NpsGrpc.Cli.Ingest;

namespace NpsGrpc.Cli.Tests;

public sealed class StableResponseIdsTests
{
    private static readonly (string Name, string Value)[] Content = [("customer_id", "c1"), ("score", "9")];
    private static readonly (string Name, string Value)[] OtherContent = [("customer_id", "c1"), ("score", "8")];

    [Fact]
    public void Next_IdenticalContent_NumbersOccurrences()
    {
        var ids = new StableResponseIds(dedupeIdenticalRows: false);

        string first = ids.Next(Content);
        string second = ids.Next(Content);

        Assert.EndsWith("-0", first);
        Assert.EndsWith("-1", second);
        Assert.Equal(first[..^2], second[..^2]);
    }

    [Fact]
    public void Next_Dedupe_RepeatsFirstId()
    {
        var ids = new StableResponseIds(dedupeIdenticalRows: true);

        string first = ids.Next(Content);
        string second = ids.Next(Content);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Next_NewRun_GivesSameIds()
    {
        var firstRun = new StableResponseIds(dedupeIdenticalRows: false);
        var secondRun = new StableResponseIds(dedupeIdenticalRows: false);

        string[] first = [firstRun.Next(Content), firstRun.Next(OtherContent), firstRun.Next(Content)];
        string[] second = [secondRun.Next(Content), secondRun.Next(OtherContent), secondRun.Next(Content)];

        Assert.Equal(first, second);
    }

    [Fact]
    public void Next_DifferentContent_DifferentHash()
    {
        var ids = new StableResponseIds(dedupeIdenticalRows: false);

        string first = ids.Next(Content);
        string other = ids.Next(OtherContent);

        Assert.NotEqual(first[..^2], other[..^2]);
        Assert.EndsWith("-0", other);
    }

    [Fact]
    public void Next_Id_FitsApiLimit()
    {
        string id = new StableResponseIds(dedupeIdenticalRows: false).Next(Content);

        Assert.Equal(StableResponseIds.HashHexLength + 2, id.Length);
        Assert.Matches("^[0-9a-f]{32}-0$", id);
    }

    [Fact]
    public void ContentHash_ShiftedBoundary_Differs()
    {
        string left = ContentHash.Compute([("a", "xy"), ("b", "z")], 32);
        string right = ContentHash.Compute([("a", "x"), ("b", "yz")], 32);

        Assert.NotEqual(left, right);
    }
}

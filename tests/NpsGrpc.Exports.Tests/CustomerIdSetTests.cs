using System.Text;
using NpsGrpc.Exports.Runs;

namespace NpsGrpc.Exports.Tests;

/// <summary>The set of customer ids that a target's first run collects from its fact rows.</summary>
public sealed class CustomerIdSetTests
{
    [Fact]
    public void RepeatedIds_CountedOnce()
    {
        // Enough ids for the slots to double several times, each added twice, among them an empty id and long ones.
        var ids = Enumerable.Range(0, 200_000).Select(i => $"id-{i}" + new string('x', i % 97)).Append("").ToList();
        var set = new CustomerIdSet(256L * 1024 * 1024);
        foreach (string id in ids.Concat(ids))
        {
            set.Add(Encoding.UTF8.GetBytes(id));
        }

        Assert.False(set.Overflowed);
        Assert.Equal(ids.Count, set.Count);
        Assert.True(set.TryClaim("id-0"u8));
        Assert.False(set.TryClaim("id-0"u8));
        Assert.True(set.TryClaim(""u8));
        Assert.False(set.TryClaim("id-unknown"u8));
        var unclaimed = set.Unclaimed().Select(id => Encoding.UTF8.GetString(id.Span)).ToHashSet();
        Assert.Equal(ids.Count - 2, unclaimed.Count);
        Assert.Equal(ids.Where(id => id is not "id-0" and not "").ToHashSet(), unclaimed);
    }

    [Fact]
    public void PastMemoryLimit_Overflows()
    {
        var set = new CustomerIdSet(2L * 1024 * 1024);
        for (int i = 0; i < 100_000; i++)
        {
            set.Add(Encoding.UTF8.GetBytes($"customer-{i}"));
        }

        Assert.True(set.Overflowed);
        Assert.Equal(0, set.Count);
        Assert.Equal(0, set.MemoryBytes);
        Assert.Throws<InvalidOperationException>(() => set.TryClaim("customer-1"u8));
    }

    [Fact]
    public void OverlongId_Overflows()
    {
        var set = new CustomerIdSet(256L * 1024 * 1024);
        set.Add("short"u8);
        set.Add(new byte[5000]);

        Assert.True(set.Overflowed);
    }
}

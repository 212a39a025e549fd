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
    public void IdsAroundSlotLength_KeptApart()
    {
        // Ids of 0 to 20 bytes cross the length that fits in a slot. Trailing zero bytes and bytes with the high bit set
        // must not make two ids equal, nor an id equal to a tag.
        var ids = new List<byte[]>();
        for (int length = 0; length <= 20; length++)
        {
            ids.Add(Enumerable.Repeat((byte)'a', length).ToArray());
            ids.Add(Enumerable.Repeat((byte)0, length).ToArray());
            ids.Add(Enumerable.Repeat((byte)0xFF, length).ToArray());
            ids.Add([.. Enumerable.Repeat((byte)'a', length), 0]);
            ids.Add([0x80, .. Enumerable.Repeat((byte)0x7F, length)]);
        }

        var distinct = ids.Select(Convert.ToHexString).Distinct().ToList();
        var set = new CustomerIdSet(256L * 1024 * 1024);
        foreach (var id in ids.Concat(ids))
        {
            set.Add(id);
        }

        Assert.Equal(distinct.Count, set.Count);
        Assert.True(set.TryClaim([0x80, 0x7F]));
        Assert.False(set.TryClaim([0x80, 0x7F]));
        Assert.True(set.TryClaim(new byte[16]));
        Assert.False(set.TryClaim(new byte[21]));
        var unclaimed = set.Unclaimed().Select(id => Convert.ToHexString(id.Span)).ToList();
        Assert.Equal(distinct.Except([Convert.ToHexString([0x80, 0x7F]), Convert.ToHexString(new byte[16])]).Order(), unclaimed.Order());
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

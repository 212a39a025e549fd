using System.Text;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Exports.Tests;

/// <summary>The cache that gives the fact reader one string per distinct survey id or attribute value.</summary>
public sealed class TextCacheTests
{
    // As many values as the cache finds by their bytes: lengths around 8 bytes, values that start alike, a trailing
    // zero byte and a character of two bytes.
    private static readonly string[] ByteKeyedValues = ["", "a", "ab", "ab\0", "abcdefgh", "abcdefghi", "abcdefghij", "é"];

    [Theory]
    [InlineData("abcdefghk")]
    [InlineData("abcdefg")]
    [InlineData("abcdefghia")]
    [InlineData("b")]
    [InlineData("ab\0\0")]
    [InlineData("e")]
    public void SimilarBytes_NotFound(string similar)
    {
        var cache = FilledCache();

        Assert.False(cache.TryGetByBytes(Encoding.UTF8.GetBytes(similar), out string? found));
        Assert.Null(found);
    }

    [Fact]
    public void ByteKeyedValues_FoundByBytes()
    {
        var cache = FilledCache();
        foreach (string value in ByteKeyedValues)
        {
            Assert.True(cache.TryGetByBytes(Encoding.UTF8.GetBytes(value), out string? found));
            Assert.Same(cache.Get(value), found);
        }
    }

    [Fact]
    public void NinthValue_FoundByCharacters()
    {
        var cache = FilledCache();
        string ninth = cache.Get("abcdefghijk"u8, "abcdefghijk");

        Assert.False(cache.TryGetByBytes("abcdefghijk"u8, out _));
        Assert.Same(ninth, cache.Get("abcdefghijk"));
    }

    private static TextCache FilledCache()
    {
        var cache = new TextCache();
        foreach (string value in ByteKeyedValues)
        {
            cache.Get(Encoding.UTF8.GetBytes(value), value);
        }

        return cache;
    }
}

using NpsGrpc.Domain.Insights;

namespace NpsGrpc.Domain.Tests;

public sealed class CommentTokenizerTests
{
    [Fact]
    public void Tokenize_English_DropsStopWordsAndKeepsPhrases()
    {
        var terms = CommentTokenizer.Tokenize("The Support team is GREAT, really great support!");

        Assert.Equal(["support", "team", "support team", "great", "really", "great", "really great", "support", "great support"], terms);
    }

    [Fact]
    public void Tokenize_PunctuationBetweenWords_BreaksPhrase()
    {
        var terms = CommentTokenizer.Tokenize("slow. crashes; user-friendly");

        Assert.Equal(["slow", "crashes", "user", "friendly", "user friendly"], terms);
    }

    [Fact]
    public void Tokenize_Japanese_GivesCharacterBigrams()
    {
        var terms = CommentTokenizer.Tokenize("sticky note に書いて");

        Assert.Equal(["sticky", "note", "sticky note", "に書", "書い", "いて"], terms);
    }

    [Fact]
    public void Tokenize_Russian_LowerCasesWords()
    {
        var terms = CommentTokenizer.Tokenize("Сделайте больше инструментов");

        Assert.Equal(["сделайте", "больше", "сделайте больше", "инструментов", "больше инструментов"], terms);
    }

    [Fact]
    public void Tokenize_FullWidthLatin_NormalisedToAscii()
    {
        var terms = CommentTokenizer.Tokenize("ＭＩＲＯ 最高");

        Assert.Equal(["miro", "最高"], terms);
    }

    [Fact]
    public void Tokenize_SingleHanCharacter_KeptAlone()
    {
        var terms = CommentTokenizer.Tokenize("good 好 app");

        Assert.Equal(["good", "好", "app"], terms);
    }

    [Fact]
    public void Tokenize_EmojiAndSurrogates_DoNotBreak()
    {
        var terms = CommentTokenizer.Tokenize("love it 😍😍 𠮷野家 ok");

        Assert.Equal(["love", "𠮷野", "野家", "ok"], terms);
    }
}

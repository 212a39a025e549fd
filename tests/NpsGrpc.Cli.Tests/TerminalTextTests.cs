using NpsGrpc.Cli.Output;

namespace NpsGrpc.Cli.Tests;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("Überprüfung 调查 ✓", "Überprüfung 调查 ✓")]
    [InlineData("red\u001b[31mtext", "red\u241b[31mtext")]
    [InlineData("clear\u001b[2J", "clear\u241b[2J")]
    [InlineData("bell\u0007", "bell\u2407")]
    [InlineData("del\u007f", "del\u2421")]
    [InlineData("c1\u009bcontrol", "c1\ufffdcontrol")]
    [InlineData("tab\there", "tab here")]
    [InlineData("one\r\ntwo\rthree\nfour", "one\ntwo\nthree\nfour")]
    public void MakeVisible_Examples_Replaced(string value, string expected)
    {
        Assert.Equal(expected, TerminalText.MakeVisible(value));
    }

    [Fact]
    public void MakeVisible_NoControlCharacters_SameInstance()
    {
        string value = "unchanged";

        Assert.Same(value, TerminalText.MakeVisible(value));
    }
}

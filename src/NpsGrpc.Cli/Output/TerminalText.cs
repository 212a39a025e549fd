using System.Text;
using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>
/// Table cells for values that come from the server. Comments, attribute values and names are typed by other people,
/// and a terminal acts on control characters in them: an escape sequence can recolour, clear or rewrite the screen.
/// </summary>
internal static class TerminalText
{
    /// <summary>Creates a table cell that shows <paramref name="value"/> with its control characters made visible.</summary>
    public static Text Cell(string value) => new(MakeVisible(value));

    /// <summary>
    /// Returns <paramref name="value"/> with each control character replaced by a visible symbol: C0 characters by
    /// their Unicode control pictures (ESC becomes ␛), DEL by ␡, and C1 characters by U+FFFD. Line breaks stay, with
    /// CR LF and CR turned into LF, and a tab becomes a space, so a multi-line comment still shows as lines.
    /// </summary>
    public static string MakeVisible(string value)
    {
        if (!value.Any(char.IsControl))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char character = value[i];
            switch (character)
            {
                case '\n':
                    text.Append('\n');
                    break;
                case '\r':
                    text.Append('\n');
                    if (i + 1 < value.Length && value[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\t':
                    text.Append(' ');
                    break;
                case < '\u0020':
                    text.Append((char)('\u2400' + character));
                    break;
                case '\u007f':
                    text.Append('\u2421');
                    break;
                case >= '\u0080' and <= '\u009f':
                    text.Append('\ufffd');
                    break;
                default:
                    text.Append(character);
                    break;
            }
        }

        return text.ToString();
    }
}

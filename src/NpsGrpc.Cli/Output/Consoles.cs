using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>Spectre.Console consoles for results (stdout) and progress (stderr).</summary>
internal static class Consoles
{
    // Wide enough that an NPS table with long group names does not wrap when stdout is a file or a pipe, where
    // Spectre.Console would otherwise assume 80 columns.
    private const int RedirectedWidth = 200;

    /// <summary>Creates a console that writes tables and results to stdout.</summary>
    public static IAnsiConsole CreateStdout()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>Creates a console for progress on stderr, or returns null when stderr is not a terminal.</summary>
    public static IAnsiConsole? CreateProgressConsole() =>
        Console.IsErrorRedirected
            ? null
            : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
}

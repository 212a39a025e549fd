using System.CommandLine;
using System.CommandLine.Parsing;
using NpsGrpc.Cli.Mapping;

namespace NpsGrpc.Cli.Commands;

/// <summary>Arguments and options shared by the commands that read CSV files.</summary>
internal static class CsvOptions
{
    /// <summary>Creates the FILE argument, which must name an existing file.</summary>
    public static Argument<FileInfo> FileArgument(string description) =>
        new Argument<FileInfo>("FILE") { Description = description }.AcceptExistingOnly();

    /// <summary>Creates a repeatable --attribute KEY=COLUMN option whose values are checked while parsing.</summary>
    public static Option<string[]> AttributeOption(string description)
    {
        var option = new Option<string[]>("--attribute")
        {
            Description = description,
            HelpName = "KEY=COLUMN",
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (string text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (AttributeMapping.TryParse(text, out string? error) is null)
                {
                    result.AddError(error!);
                }
            }
        });
        return option;
    }

    /// <summary>Creates a --batch-size option with <paramref name="defaultSize"/> items per batch.</summary>
    public static Option<int> BatchSizeOption(int defaultSize)
    {
        var option = new Option<int>("--batch-size")
        {
            Description = $"Items per batch sent to the server (default {defaultSize}); the server's limit is 5000 " +
                "unless it is configured otherwise.",
            HelpName = "N",
            DefaultValueFactory = _ => defaultSize,
        };
        option.Validators.Add(result => RequireAtLeast(result, 1));
        return option;
    }

    /// <summary>
    /// Adds an error to <paramref name="result"/> when its value is below <paramref name="minimum"/>.
    /// </summary>
    public static void RequireAtLeast(OptionResult result, int minimum)
    {
        int value = result.GetValueOrDefault<int>();
        if (value < minimum)
        {
            result.AddError($"{result.Option.Name} is {value}; it must be at least {minimum}.");
        }
    }

    /// <summary>Whether the option was given on the command line.</summary>
    public static bool IsGiven(CommandResult command, Option option) =>
        command.GetResult(option) is { Implicit: false };
}

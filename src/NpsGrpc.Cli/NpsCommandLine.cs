using System.CommandLine;
using NpsGrpc.Cli.Commands;

namespace NpsGrpc.Cli;

/// <summary>Builds the nps command tree and runs it, mapping parse errors to <see cref="ExitCodes.Usage"/>.</summary>
internal static class NpsCommandLine
{
    /// <summary>Name of the program, as users type it.</summary>
    public const string ProgramName = "nps";

    // System.CommandLine 2.0 reads a first argument equal to the root command's name as the root itself, and it
    // keys the root and its subcommands by name in one table. A root named "nps" could therefore not have the
    // "nps" subcommand, so the root gets this internal name, and help output shows it as "nps".
    private const string RootName = "nps-command-line-root";

    /// <summary>Parses <paramref name="args"/>, runs the selected command and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        Command root = BuildRootCommand();
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await Console.Error.WriteLineAsync(
                $"Run '{ProgramName} --help' or '{ProgramName} COMMAND --help' for usage.");
            return ExitCodes.Usage;
        }

        // Only help and version output goes to this writer; commands write to the console directly.
        using var helpOutput = new StringWriter();
        int exitCode = await parseResult.InvokeAsync(new InvocationConfiguration { Output = helpOutput });
        await Console.Out.WriteAsync(helpOutput.ToString().Replace(RootName, ProgramName, StringComparison.Ordinal));
        return exitCode;
    }

    /// <summary>Creates the root command with the global --server option and every subcommand.</summary>
    public static Command BuildRootCommand()
    {
        var root = new Command(
            RootName,
            "Command-line client of the NpsGrpc server: manage surveys, ingest survey responses and customer " +
            "attributes from CSV files, query the Net Promoter Score per group (segments), over time (trend) and " +
            "between two time ranges (compare), manage named and time-based cohorts (cohorts), profile promoters and " +
            "detractors (personas), score and search comments (themes, comments search), export responses to Parquet " +
            "files (exports), and work through detractors to call back (followups), promoters to ask for a review " +
            "(advocates) and NPS targets (goals).\n\n" +
            "Exit codes: 0 success; 1 some rows were rejected or unparsable; 2 usage error; " +
            "3 server unreachable or failed, or an export run waited for with --wait failed or timed out.");
        root.Options.Add(new System.CommandLine.Help.HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(ServerConnection.ServerOption);
        root.Options.Add(ServerConnection.ApiKeyOption);
        root.Options.Add(ServerConnection.CaFileOption);
        root.Subcommands.Add(SurveysCommand.Create());
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(CustomersCommand.Create());
        root.Subcommands.Add(NpsQueryCommand.Create());
        root.Subcommands.Add(SegmentsCommand.Create());
        root.Subcommands.Add(TrendCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(CohortsCommand.Create());
        root.Subcommands.Add(PersonasCommand.Create());
        root.Subcommands.Add(ThemesCommand.Create());
        root.Subcommands.Add(CommentsCommand.Create());
        root.Subcommands.Add(ExportsCommand.Create());
        root.Subcommands.Add(FollowUpsCommand.Create());
        root.Subcommands.Add(AdvocatesCommand.Create());
        root.Subcommands.Add(GoalsCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        return root;
    }
}

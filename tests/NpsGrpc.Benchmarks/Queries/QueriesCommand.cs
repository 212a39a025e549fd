using System.CommandLine;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>The <c>queries</c> command: times NPS questions on rollups, on raw rows and in DuckDB.</summary>
public static class QueriesCommand
{
    /// <summary>Creates the command with its options and action.</summary>
    public static Command Create()
    {
        var rows = new Option<int>("--rows")
        {
            Description = "Responses to load through StreamResponses before the questions.",
            Required = true,
        };
        var repeats = new Option<int>("--repeats")
        {
            Description = "Timed runs of each question on the rollup path and in DuckDB, after 2 warm-up runs.",
            DefaultValueFactory = _ => 11,
        };
        var rawRepeats = new Option<int>("--raw-repeats")
        {
            Description = "Timed runs of each question on the raw-row path, after 1 warm-up run.",
            DefaultValueFactory = _ => 3,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the response generator.",
            DefaultValueFactory = _ => 42,
        };
        var keepDatabase = new Option<bool>("--keep-database")
        {
            Description = "Leave the database in the cluster at the end, for inspection; drop it with DROP DATABASE.",
        };
        BenchmarkOptions.RequirePositive(rows);
        BenchmarkOptions.RequirePositive(repeats);
        BenchmarkOptions.RequirePositive(rawRepeats);

        var command = new Command(
            "queries",
            "Load responses through StreamResponses and time NPS queries against rollups, raw rows and DuckDB.")
        {
            rows, repeats, rawRepeats, seed, keepDatabase,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new QueriesSettings(
                parseResult.GetValue(rows),
                parseResult.GetValue(repeats),
                parseResult.GetValue(rawRepeats),
                parseResult.GetValue(seed),
                parseResult.GetValue(keepDatabase));
            try
            {
                await new QueriesBenchmark(settings, Console.Out).RunAsync(cancellationToken);
                return 0;
            }
            catch (BenchmarkException exception)
            {
                await Console.Error.WriteLineAsync($"queries benchmark failed: {exception.Message}");
                return 1;
            }
        });
        return command;
    }
}

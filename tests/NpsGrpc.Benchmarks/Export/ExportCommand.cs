using System.CommandLine;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>The <c>export</c> command: times a Parquet export against psql's \copy and DuckDB's Parquet writer.</summary>
public static class ExportCommand
{
    /// <summary>Creates the command with its options and action.</summary>
    public static Command Create()
    {
        var rows = new Option<int>("--rows")
        {
            Description = "Responses to load into the survey and export.",
            DefaultValueFactory = _ => 10_000_000,
        };
        var commentBytes = new Option<int>("--comment-bytes")
        {
            Description = "Give every response a comment of this many bytes of varied text. 0 keeps the generator's " +
                "short comments on about 30 % of the responses.",
            DefaultValueFactory = _ => 0,
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
        var database = new Option<string>("--database")
        {
            Description = "Export again from a database that an earlier run kept with --keep-database, without loading " +
                "one. Its only survey must hold --rows responses. The database is kept.",
        };
        var rounds = new Option<int>("--rounds")
        {
            Description = "Time this many pairs of an export run and a psql read-out, one after the other, and judge the " +
                "target on the median ratio. The host's load changes both times from minute to minute.",
            DefaultValueFactory = _ => 1,
        };
        BenchmarkOptions.RequirePositive(rows);
        BenchmarkOptions.RequirePositive(rounds);
        commentBytes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError($"{commentBytes.Name} must be 0 or a positive number of bytes.");
            }
        });

        var command = new Command(
            "export",
            "Load responses into a fresh database and time a Parquet export run against psql \\copy and DuckDB.")
        {
            rows, commentBytes, seed, keepDatabase, database, rounds,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new ExportSettings(
                parseResult.GetValue(rows),
                parseResult.GetValue(commentBytes),
                parseResult.GetValue(seed),
                parseResult.GetValue(keepDatabase),
                parseResult.GetValue(database),
                parseResult.GetValue(rounds));
            try
            {
                await new ExportBenchmark(settings, Console.Out).RunAsync(cancellationToken);
                return 0;
            }
            catch (BenchmarkException exception)
            {
                await Console.Error.WriteLineAsync($"export benchmark failed: {exception.Message}");
                return 1;
            }
        });
        return command;
    }
}

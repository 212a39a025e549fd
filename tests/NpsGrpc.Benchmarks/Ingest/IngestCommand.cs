using System.CommandLine;

namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>The <c>ingest</c> command: compares StreamResponses with psql's \copy on the same rows.</summary>
public static class IngestCommand
{
    /// <summary>Creates the command with its options and action.</summary>
    public static Command Create()
    {
        var rows = new Option<int>("--rows")
        {
            Description = "Responses to load in every timed run.",
            Required = true,
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Responses per StreamResponses batch. Above 5000 the server's Ingest:MaxBatchSize is raised.",
            DefaultValueFactory = _ => 5000,
        };
        var streams = new Option<int[]>("--streams")
        {
            Description = "Concurrent StreamResponses calls. Several values, such as --streams 1 2, are tried in turn.",
            DefaultValueFactory = _ => [1, 2],
            AllowMultipleArgumentsPerToken = true,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the response generator.",
            DefaultValueFactory = _ => 42,
        };
        var rounds = new Option<int>("--rounds")
        {
            Description = "Rounds of one gRPC run and one psql run; odd rounds start with gRPC, even rounds with psql.",
            DefaultValueFactory = _ => 2,
        };

        BenchmarkOptions.RequirePositive(rows);
        BenchmarkOptions.RequirePositive(batchSize);
        BenchmarkOptions.RequirePositive(rounds);
        streams.Validators.Add(result =>
        {
            int[] values = result.GetValueOrDefault<int[]>() ?? [];
            if (values.Length == 0 || values.Any(value => value < 1))
            {
                result.AddError("--streams needs one or more positive integers, for example --streams 1 2.");
            }
        });

        var command = new Command("ingest", "Time StreamResponses against psql \\copy into a fresh database.")
        {
            rows, batchSize, streams, seed, rounds,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new IngestSettings(
                parseResult.GetValue(rows),
                parseResult.GetValue(batchSize),
                parseResult.GetValue(streams)!,
                parseResult.GetValue(seed),
                parseResult.GetValue(rounds));
            try
            {
                await new IngestBenchmark(settings, Console.Out).RunAsync(cancellationToken);
                return 0;
            }
            catch (BenchmarkException exception)
            {
                await Console.Error.WriteLineAsync($"ingest benchmark failed: {exception.Message}");
                return 1;
            }
        });
        return command;
    }
}

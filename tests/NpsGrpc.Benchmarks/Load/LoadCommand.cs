using System.CommandLine;

namespace NpsGrpc.Benchmarks.Load;

/// <summary>The <c>load</c> command: many concurrent ingest streams and query callers for a bounded time.</summary>
public static class LoadCommand
{
    /// <summary>Creates the command with its options and action.</summary>
    public static Command Create()
    {
        var streams = new Option<int>("--streams")
        {
            Description = "Concurrent StreamResponses calls; each sends a batch and waits for its acknowledgement.",
            DefaultValueFactory = _ => 50,
        };
        var queriers = new Option<int>("--queriers")
        {
            Description = "Concurrent query callers; each calls GetNps, GetNpsTrend and CompareNps in turn without pause.",
            DefaultValueFactory = _ => 4,
        };
        var duration = new Option<string>("--duration")
        {
            Description = "How long the load runs: seconds such as 60s or 90, minutes such as 5m, or hh:mm:ss.",
            DefaultValueFactory = _ => "60s",
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Responses per batch; at most the server's Ingest:MaxBatchSize (5000 by default).",
            DefaultValueFactory = _ => 100,
        };
        var surveys = new Option<int>("--surveys")
        {
            Description = "Surveys the streams spread over, round robin. Batches of one survey update the same rollup rows.",
            DefaultValueFactory = _ => 1,
        };
        var address = new Option<string?>("--address")
        {
            Description = "gRPC address of a running server, such as http://127.0.0.1:50051. Without it the built server " +
                "starts as a child process on a fresh database in $NPS_BENCH_CONNECTION_STRING.",
        };
        var metricsUrl = new Option<string?>("--metrics-url")
        {
            Description = "Prometheus scrape URL of the server given by --address, such as http://127.0.0.1:9464/metrics, " +
                "for its memory and connection pool figures.",
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the response generator.",
            DefaultValueFactory = _ => 42,
        };
        BenchmarkOptions.RequirePositive(streams);
        BenchmarkOptions.RequirePositive(batchSize);
        BenchmarkOptions.RequirePositive(surveys);
        queriers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--queriers must be 0 or more.");
            }
        });
        duration.Validators.Add(result =>
        {
            string text = result.GetValueOrDefault<string>() ?? "";
            if (LoadSettings.ParseDuration(text) is not { } parsed || parsed <= TimeSpan.Zero || parsed > TimeSpan.FromHours(1))
            {
                result.AddError($"--duration '{text}' is not a duration from 1 s to 1 h, such as 60s, 5m or 00:02:00.");
            }
        });
        metricsUrl.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                result.AddError($"--metrics-url '{url}' is not an absolute URL.");
            }
        });

        var command = new Command(
            "load",
            "Run concurrent ingest streams and query callers against a server for a bounded time and report throughput, " +
            "latency percentiles and the server's memory and connection pool figures.")
        {
            streams, queriers, duration, batchSize, surveys, address, metricsUrl, seed,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string? target = parseResult.GetValue(address);
            var settings = new LoadSettings(
                parseResult.GetValue(streams),
                parseResult.GetValue(queriers),
                LoadSettings.ParseDuration(parseResult.GetValue(duration)!)!.Value,
                parseResult.GetValue(batchSize),
                parseResult.GetValue(surveys),
                target,
                target is null ? null : parseResult.GetValue(metricsUrl),
                parseResult.GetValue(seed));
            try
            {
                await new LoadRun(settings, Console.Out).RunAsync(cancellationToken);
                return 0;
            }
            catch (BenchmarkException exception)
            {
                await Console.Error.WriteLineAsync($"load benchmark failed: {exception.Message}");
                return 1;
            }
        });
        return command;
    }
}

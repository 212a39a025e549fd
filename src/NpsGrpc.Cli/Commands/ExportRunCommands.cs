using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using Grpc.Core;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps exports run' and 'nps exports runs' commands: start a run of a target and list its runs.</summary>
internal sealed class ExportRunCommands
{
    private const int DefaultRunLimit = 20;

    // The API lowers larger page sizes of ListExportRuns to 1000.
    private const int MaxPageSize = 1000;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Argument<string> _targetId = ExportOptions.TargetIdArgument();

    private readonly Option<string?> _restateFrom = ExportOptions.DateOption(
        "--restate-from",
        "First local date, in the target's time zone, to write again. With --restate-to, the run restates that " +
            "range instead of exporting what arrived since the previous successful run.");

    private readonly Option<string?> _restateTo = ExportOptions.DateOption(
        "--restate-to",
        "Last local date of the restatement, inclusive; needs --restate-from.");

    private readonly Option<bool> _wait = new("--wait")
    {
        Description = "Wait until the run succeeds or fails, checking every 250 ms. Exits with 3 when it fails " +
            "or when --timeout passes first.",
    };

    private readonly Option<int> _timeout = new("--timeout")
    {
        Description = "With --wait, stop waiting after this many seconds (default: no limit). The run continues " +
            "on the server.",
        HelpName = "SECONDS",
    };

    private readonly Option<int> _limit = new("--limit")
    {
        Description = $"Show the newest N runs (default {DefaultRunLimit}); 0 shows every run.",
        HelpName = "N",
        DefaultValueFactory = _ => DefaultRunLimit,
    };

    private readonly Option<bool> _json = ExportOptions.JsonOption();

    /// <summary>Creates the 'run' and 'runs' subcommands of 'nps exports'.</summary>
    public static IEnumerable<Command> Create() => new ExportRunCommands().Build();

    private IEnumerable<Command> Build()
    {
        _timeout.Validators.Add(result => CsvOptions.RequireAtLeast(result, 1));
        _limit.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));

        var run = new Command(
            "run",
            "Queue a run of an export target outside its schedule. Without dates it exports the responses that " +
            "arrived since the previous successful run; with --restate-from and --restate-to it writes that range " +
            "of dates again. A run waits while another run of the same target is in progress.")
        {
            _targetId, _restateFrom, _restateTo, _wait, _timeout, _json,
        };
        run.Validators.Add(ValidateRun);
        CommandActions.Set(run, RunAsync);

        var runs = new Command(
            "runs",
            "List the runs of an export target, newest first: trigger, state, scheduled slot (UTC), rows, files " +
            "and bytes written, duration and the error of failed runs.")
        {
            _targetId, _limit, _json,
        };
        CommandActions.Set(runs, ListRunsAsync);

        return [run, runs];
    }

    private void ValidateRun(CommandResult command)
    {
        string? from = command.GetValue(_restateFrom);
        string? to = command.GetValue(_restateTo);
        if ((from is null) != (to is null))
        {
            string missing = from is null ? "--restate-from" : "--restate-to";
            command.AddError(
                $"{missing} is missing; give both --restate-from and --restate-to to restate a range of dates, " +
                "or neither for an incremental run.");
        }
        else if (from is not null && to is not null
            && ExportOptions.ParseDate(from) is { } first && ExportOptions.ParseDate(to) is { } last && last < first)
        {
            command.AddError(
                $"--restate-to {to} is before --restate-from {from}; the range runs from the first date to the " +
                "last, both inclusive.");
        }

        if (CsvOptions.IsGiven(command, _timeout) && !command.GetValue(_wait))
        {
            command.AddError("--timeout applies only with --wait.");
        }
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var request = new RunExportRequest
        {
            TargetId = parseResult.GetRequiredValue(_targetId),
            RestateFrom = parseResult.GetValue(_restateFrom) ?? "",
            RestateTo = parseResult.GetValue(_restateTo) ?? "",
        };
        bool json = parseResult.GetValue(_json);

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        var queued = await client.RunExportAsync(request, cancellationToken: cancellationToken);
        if (!parseResult.GetValue(_wait))
        {
            if (json)
            {
                JsonOutput.Write(queued);
            }
            else
            {
                Console.WriteLine(
                    $"Queued run {queued.Run.RunId} of export target {request.TargetId}. Follow it with " +
                    $"'{NpsCommandLine.ProgramName} exports runs {request.TargetId}'.");
            }

            return ExitCodes.Success;
        }

        TimeSpan? timeout = CsvOptions.IsGiven(parseResult.CommandResult, _timeout)
            ? TimeSpan.FromSeconds(parseResult.GetValue(_timeout))
            : null;
        GetExportRunResponse latest;
        try
        {
            latest = await WaitAsync(client, queued.Run, timeout, cancellationToken);
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync(
                $"Run {queued.Run.RunId} of export target {request.TargetId} was queued, but checking its state " +
                $"failed. Follow it with '{NpsCommandLine.ProgramName} exports runs {request.TargetId}'.");
            throw;
        }

        return await ReportAsync(latest.Run, json ? latest : null, parseResult.GetValue(_timeout));
    }

    // Polls GetExportRun until the run ends or the timeout passes, and returns the last response. After a timeout
    // the run in that response is still queued or running.
    private static async Task<GetExportRunResponse> WaitAsync(
        ExportService.ExportServiceClient client, ExportRun queued, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var latest = new GetExportRunResponse { Run = queued };
        var request = new GetExportRunRequest { TargetId = queued.TargetId, RunId = queued.RunId };
        while (!IsFinished(latest.Run.State))
        {
            await Task.Delay(PollInterval, cancellationToken);

            // The deadline keeps a slow GetExportRun call from overrunning --timeout.
            DateTime? deadline = null;
            if (timeout is { } limit)
            {
                TimeSpan remaining = limit - stopwatch.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    return latest;
                }

                deadline = DateTime.UtcNow + remaining;
            }

            try
            {
                latest = await client.GetExportRunAsync(
                    request, deadline: deadline, cancellationToken: cancellationToken);
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.DeadlineExceeded && deadline is not null)
            {
                return latest;
            }
        }

        return latest;
    }

    // Prints the outcome of a waited-for run and returns the exit code. With jsonResponse set, the response goes
    // to stdout as JSON and only failures are described, on stderr.
    private static async Task<int> ReportAsync(ExportRun run, GetExportRunResponse? jsonResponse, int timeoutSeconds)
    {
        if (jsonResponse is not null)
        {
            JsonOutput.Write(jsonResponse);
        }

        string follow = $"'{NpsCommandLine.ProgramName} exports runs {run.TargetId}'";
        switch (run.State)
        {
            case ExportRunState.Succeeded:
                if (jsonResponse is null)
                {
                    Console.WriteLine(ExportText.Summary(run));
                }

                return ExitCodes.Success;
            case ExportRunState.Failed:
                await Console.Error.WriteLineAsync(
                    $"error: run {run.RunId} of export target {run.TargetId} failed: {run.Error}");
                return ExitCodes.ServerFailure;
            default:
                await Console.Error.WriteLineAsync(
                    $"error: waiting for run {run.RunId} of export target {run.TargetId} timed out after " +
                    $"{timeoutSeconds} s (--timeout). The run is still {ExportText.State(run.State)} on the " +
                    $"server. Follow it with {follow}.");
                return ExitCodes.ServerFailure;
        }
    }

    private static bool IsFinished(ExportRunState state) =>
        state is ExportRunState.Succeeded or ExportRunState.Failed;

    private async Task<int> ListRunsAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        int limit = parseResult.GetValue(_limit);
        var request = new ListExportRunsRequest
        {
            TargetId = parseResult.GetRequiredValue(_targetId),
            PageSize = limit == 0 ? MaxPageSize : Math.Min(limit, MaxPageSize),
        };

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        var newestRuns = new ListExportRunsResponse();
        bool hasOlderRuns;
        do
        {
            var page = await client.ListExportRunsAsync(request, cancellationToken: cancellationToken);
            int keptCount = limit == 0 ? page.Runs.Count : Math.Min(page.Runs.Count, limit - newestRuns.Runs.Count);
            newestRuns.Runs.AddRange(page.Runs.Take(keptCount));
            request.PageToken = page.NextPageToken;
            bool runsRemain = keptCount < page.Runs.Count || request.PageToken.Length > 0;
            hasOlderRuns = limit > 0 && newestRuns.Runs.Count == limit && runsRemain;
        }
        while (request.PageToken.Length > 0 && (limit == 0 || newestRuns.Runs.Count < limit));

        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(newestRuns);
            return ExitCodes.Success;
        }

        Consoles.CreateStdout().Write(ExportText.BuildRunsTable(newestRuns.Runs));
        if (hasOlderRuns)
        {
            Console.WriteLine($"Showing the newest {limit} runs; --limit 0 shows every run.");
        }

        return ExitCodes.Success;
    }
}

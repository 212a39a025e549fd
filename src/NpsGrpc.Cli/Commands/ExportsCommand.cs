using System.CommandLine;
using System.CommandLine.Parsing;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>
/// The 'nps exports' commands: create, list, show, update, pause, resume and delete Parquet export targets. The
/// run and runs subcommands come from <see cref="ExportRunCommands"/>.
/// </summary>
internal sealed class ExportsCommand
{
    private const int DefaultPageSize = 100;

    private readonly Argument<string> _targetId = ExportOptions.TargetIdArgument();

    private readonly Argument<string> _createTargetId = new("TARGET_ID")
    {
        Description = "Id of the new target: 1 to 63 lowercase letters, digits and hyphens, starting with a letter " +
            "or digit.",
    };

    private readonly Option<string> _destination = new("--destination")
    {
        Description = "Absolute path of the directory to write the files to, on the server's file system. The " +
            "server creates it when it is missing. Two targets cannot share a directory.",
        HelpName = "DIR",
        Required = true,
    };

    private readonly Option<string[]> _surveys = new("--survey")
    {
        Description = "Id of a survey to export; repeatable. Without it the target exports every survey, " +
            "including surveys created later.",
        HelpName = "SURVEY_ID",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _createSchedule = ExportOptions.ScheduleOption(
        "Without it the target runs only on demand ('nps exports run').");

    private readonly Option<string?> _updateSchedule = ExportOptions.ScheduleOption(
        "An empty value (--schedule \"\") removes the schedule, so the target runs only on demand.");

    private readonly Option<string?> _timeZone = new("--time-zone")
    {
        Description = "IANA time zone, such as Europe/Berlin, of the schedule and of the local dates the files " +
            "are partitioned by (default UTC).",
        HelpName = "IANA_ID",
    };

    private readonly Option<string[]> _segments = new("--segment")
    {
        Description = "Response attribute key whose values split the daily_nps table; repeatable, at most " +
            $"{ExportOptions.MaxSegmentKeys}.",
        HelpName = "KEY",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<int> _rowGroupRows = ExportOptions.RowGroupRowsOption();

    private readonly Option<double> _confidenceLevel = ExportOptions.ConfidenceLevelOption();

    private readonly Option<string?> _displayName = ExportOptions.DisplayNameOption();

    private readonly Option<bool> _paused = new("--paused")
    {
        Description = "Create the target with its schedule paused; 'nps exports resume' starts it.",
    };

    private readonly Option<int> _pageSize = CreatePageSizeOption();

    private readonly Option<bool> _json = ExportOptions.JsonOption();

    /// <summary>Creates the 'exports' command and its subcommands.</summary>
    public static Command Create() => new ExportsCommand().Build();

    private static Option<int> CreatePageSizeOption()
    {
        var option = new Option<int>("--page-size")
        {
            Description = $"Targets per request (default {DefaultPageSize}, at most 1000); every page is listed.",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultPageSize,
        };
        option.Validators.Add(result => CsvOptions.RequireAtLeast(result, 1));
        return option;
    }

    private Command Build()
    {
        _segments.Validators.Add(result =>
        {
            int count = result.GetValueOrDefault<string[]>()?.Length ?? 0;
            if (count > ExportOptions.MaxSegmentKeys)
            {
                result.AddError(
                    $"--segment names {count} keys; at most {ExportOptions.MaxSegmentKeys} are allowed.");
            }
        });

        var create = new Command(
            "create",
            "Create an export target. The destination, surveys, time zone and segment keys cannot change later.")
        {
            _createTargetId, _destination, _surveys, _createSchedule, _timeZone, _segments, _rowGroupRows,
            _confidenceLevel, _displayName, _paused, _json,
        };
        CommandActions.Set(create, CreateAsync);

        var list = new Command("list", "List all export targets, ordered by id.") { _pageSize, _json };
        CommandActions.Set(list, ListAsync);

        var get = new Command("get", "Show one export target.") { _targetId, _json };
        CommandActions.Set(get, GetAsync);

        var update = new Command(
            "update",
            "Change the schedule, display name, rows per row group or confidence level of an export target. Only " +
            "the options given change.")
        {
            _targetId, _updateSchedule, _displayName, _rowGroupRows, _confidenceLevel, _json,
        };
        update.Validators.Add(ValidateUpdate);
        CommandActions.Set(update, UpdateAsync);

        var pause = new Command(
            "pause",
            "Pause the schedule of an export target. Slots that fall while it is paused are skipped; runs already " +
            "queued still run.")
        {
            _targetId, _json,
        };
        CommandActions.Set(pause, PauseAsync);

        var resume = new Command("resume", "Resume a paused export target from the next slot after now.")
        {
            _targetId, _json,
        };
        CommandActions.Set(resume, ResumeAsync);

        var delete = new Command(
            "delete",
            "Delete an export target with its run history. Files already written stay in the destination.")
        {
            _targetId,
        };
        CommandActions.Set(delete, DeleteAsync);

        var exports = new Command(
            "exports",
            "Manage Parquet export targets, which write the responses of surveys into a directory as a star " +
            "schema on a cron schedule or on demand, and their runs.")
        {
            create, list, get, update, pause, resume, delete,
        };
        foreach (var command in ExportRunCommands.Create())
        {
            exports.Subcommands.Add(command);
        }

        return exports;
    }

    private void ValidateUpdate(CommandResult command)
    {
        Option[] changeable = [_updateSchedule, _displayName, _rowGroupRows, _confidenceLevel];
        if (!changeable.Any(option => CsvOptions.IsGiven(command, option)))
        {
            command.AddError(
                "Nothing to update; give at least one of --schedule, --display-name, --row-group-rows and " +
                "--confidence-level.");
        }
    }

    private async Task<int> CreateAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var target = new ExportTarget
        {
            TargetId = parseResult.GetRequiredValue(_createTargetId),
            DisplayName = parseResult.GetValue(_displayName) ?? "",
            Destination = parseResult.GetRequiredValue(_destination),
            SurveyIds = { parseResult.GetValue(_surveys) ?? [] },
            Schedule = parseResult.GetValue(_createSchedule) ?? "",
            TimeZone = parseResult.GetValue(_timeZone) ?? "",
            SegmentKeys = { parseResult.GetValue(_segments) ?? [] },
            RowGroupRows = parseResult.GetValue(_rowGroupRows),
            ConfidenceLevel = parseResult.GetValue(_confidenceLevel),
            Paused = parseResult.GetValue(_paused),
        };

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        var response = await client.CreateExportTargetAsync(
            new CreateExportTargetRequest { Target = target }, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        Console.WriteLine($"Created export target {response.Target.TargetId}.");
        ExportText.WriteTarget(Console.Out, response.Target);
        return ExitCodes.Success;
    }

    private async Task<int> ListAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        var all = new ListExportTargetsResponse();
        var request = new ListExportTargetsRequest { PageSize = parseResult.GetValue(_pageSize) };
        do
        {
            var page = await client.ListExportTargetsAsync(request, cancellationToken: cancellationToken);
            all.Targets.AddRange(page.Targets);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(all);
            return ExitCodes.Success;
        }

        Consoles.CreateStdout().Write(ExportText.BuildTargetsTable(all.Targets));
        return ExitCodes.Success;
    }

    private async Task<int> GetAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        var request = new GetExportTargetRequest { TargetId = parseResult.GetRequiredValue(_targetId) };
        var response = await client.GetExportTargetAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        ExportText.WriteTarget(Console.Out, response.Target);
        return ExitCodes.Success;
    }

    private async Task<int> UpdateAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var request = new UpdateExportTargetRequest
        {
            Target = new ExportTarget { TargetId = parseResult.GetRequiredValue(_targetId) },
        };
        var command = parseResult.CommandResult;
        if (CsvOptions.IsGiven(command, _updateSchedule))
        {
            request.Target.Schedule = parseResult.GetValue(_updateSchedule) ?? "";
            request.UpdateMask.Add("schedule");
        }

        if (CsvOptions.IsGiven(command, _displayName))
        {
            request.Target.DisplayName = parseResult.GetValue(_displayName) ?? "";
            request.UpdateMask.Add("display_name");
        }

        if (CsvOptions.IsGiven(command, _rowGroupRows))
        {
            request.Target.RowGroupRows = parseResult.GetValue(_rowGroupRows);
            request.UpdateMask.Add("row_group_rows");
        }

        if (CsvOptions.IsGiven(command, _confidenceLevel))
        {
            request.Target.ConfidenceLevel = parseResult.GetValue(_confidenceLevel);
            request.UpdateMask.Add("confidence_level");
        }

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        var response = await client.UpdateExportTargetAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        Console.WriteLine(
            $"Updated {string.Join(", ", request.UpdateMask)} of export target {response.Target.TargetId}.");
        ExportText.WriteTarget(Console.Out, response.Target);
        return ExitCodes.Success;
    }

    private async Task<int> PauseAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        var request = new PauseExportTargetRequest { TargetId = parseResult.GetRequiredValue(_targetId) };
        var response = await client.PauseExportTargetAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        Console.WriteLine($"Paused export target {response.Target.TargetId}.");
        return ExitCodes.Success;
    }

    private async Task<int> ResumeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        var request = new ResumeExportTargetRequest { TargetId = parseResult.GetRequiredValue(_targetId) };
        var response = await client.ResumeExportTargetAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        var target = response.Target;
        Console.WriteLine($"Resumed export target {target.TargetId}; next run: {ExportText.NextRun(target)}.");
        return ExitCodes.Success;
    }

    private async Task<int> DeleteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ExportService.ExportServiceClient(channel);
        string targetId = parseResult.GetRequiredValue(_targetId);
        await client.DeleteExportTargetAsync(
            new DeleteExportTargetRequest { TargetId = targetId }, cancellationToken: cancellationToken);
        Console.WriteLine($"Deleted export target {targetId}. Files already written stay in its destination.");
        return ExitCodes.Success;
    }
}

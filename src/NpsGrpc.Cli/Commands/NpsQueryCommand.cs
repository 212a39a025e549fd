using System.CommandLine;
using System.CommandLine.Parsing;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps nps' command: queries the Net Promoter Score of a survey.</summary>
internal sealed class NpsQueryCommand
{
    private const int MaxGroupBy = 3;

    private readonly Option<string> _survey = new("--survey")
    {
        Description = "Id of the survey to query.",
        HelpName = "SURVEY_ID",
        Required = true,
    };

    private readonly Option<string[]> _by = new("--by")
    {
        Description = "Group by this response attribute; repeatable.",
        HelpName = "KEY",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string[]> _byCustomer = new("--by-customer")
    {
        Description = "Group by this customer attribute; repeatable. A customer with several values counts in " +
            "each value's group. Response attributes (--by) come first, at most 3 keys in all.",
        HelpName = "KEY",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _from = new("--from")
    {
        Description = "Inclusive start of the response time range, ISO 8601 (UTC when it has no offset).",
        HelpName = "INSTANT",
    };

    private readonly Option<string?> _to = new("--to")
    {
        Description = "Exclusive end of the response time range, ISO 8601 (UTC when it has no offset).",
        HelpName = "INSTANT",
    };

    private readonly Option<int> _minN = new("--min-n")
    {
        Description = "Flag groups with fewer responses than N as an insufficient sample (default: the " +
            "server's, 30).",
        HelpName = "N",
    };

    private readonly Option<double> _confidence = QueryOptions.CreateConfidenceOption();

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print the GetNps response as JSON (protobuf JSON mapping, unrounded) instead of a table.",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create() => new NpsQueryCommand().Build();

    private Command Build()
    {
        _minN.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));

        var command = new Command(
            "nps",
            "Show the Net Promoter Score of a survey, overall and per group: counts, NPS (one decimal) and its " +
            "confidence interval (adjusted Wald). The overall row comes last. For filters, shares, the difference " +
            "of each group from overall with its p-value, and sorting, use 'nps segments'.")
        {
            _survey, _by, _byCustomer, _from, _to, _minN, _confidence, _json,
        };
        command.Validators.Add(ValidateGroupCount);
        CommandActions.Set(command, RunAsync);
        return command;
    }

    private void ValidateGroupCount(CommandResult command)
    {
        int count = (command.GetValue(_by)?.Length ?? 0) + (command.GetValue(_byCustomer)?.Length ?? 0);
        if (count > MaxGroupBy)
        {
            command.AddError($"--by and --by-customer name {count} keys; at most {MaxGroupBy} are allowed.");
        }
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var request = new GetNpsRequest
        {
            SurveyId = parseResult.GetRequiredValue(_survey),
            StartTime = QueryOptions.ParseInstant(parseResult.GetValue(_from), "--from", TimeZoneInfo.Utc),
            EndTime = QueryOptions.ParseInstant(parseResult.GetValue(_to), "--to", TimeZoneInfo.Utc),
            ConfidenceLevel = parseResult.GetValue(_confidence),
            MinSampleSize = parseResult.GetValue(_minN),
        };
        foreach (string key in parseResult.GetValue(_by) ?? [])
        {
            request.GroupBy.Add(new AttributeRef { Key = key, Scope = AttributeScope.Response });
        }

        foreach (string key in parseResult.GetValue(_byCustomer) ?? [])
        {
            request.GroupBy.Add(new AttributeRef { Key = key, Scope = AttributeScope.Customer });
        }

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new QueryService.QueryServiceClient(channel);

        // The server returns every group on one page unless the request sets a page size. Further pages are
        // still followed, so that the output is complete if a server pages by default.
        var response = await GroupPaging.GetAllPagesAsync(client, request, cancellationToken);

        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
        }
        else
        {
            Consoles.CreateStdout().Write(NpsTable.Build(response, request.GroupBy, request.ConfidenceLevel));
        }

        return ExitCodes.Success;
    }
}

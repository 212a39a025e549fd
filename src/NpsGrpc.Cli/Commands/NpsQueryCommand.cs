using System.CommandLine;
using System.CommandLine.Parsing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps nps' command: queries the Net Promoter Score of a survey.</summary>
internal sealed class NpsQueryCommand
{
    private const int MaxGroupBy = 3;
    private const double DefaultConfidence = 0.95;

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

    private readonly Option<double> _confidence = new("--confidence")
    {
        Description = "Confidence level of the intervals, strictly between 0 and 1.",
        HelpName = "LEVEL",
        DefaultValueFactory = _ => DefaultConfidence,
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print the GetNps response as JSON (protobuf JSON mapping, unrounded) instead of a table.",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create() => new NpsQueryCommand().Build();

    private Command Build()
    {
        _minN.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));
        _confidence.Validators.Add(result =>
        {
            double level = result.GetValueOrDefault<double>();
            if (!(level > 0 && level < 1))
            {
                result.AddError($"--confidence is {level}; it must be strictly between 0 and 1, such as 0.95.");
            }
        });

        var command = new Command(
            "nps",
            "Show the Net Promoter Score of a survey, overall and per group: counts, NPS (one decimal) and its " +
            "confidence interval (adjusted Wald). The overall row comes last.")
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
            StartTime = ParseInstant(parseResult.GetValue(_from), "--from"),
            EndTime = ParseInstant(parseResult.GetValue(_to), "--to"),
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
        var response = await client.GetNpsAsync(request, cancellationToken: cancellationToken);

        // The server returns every group on one page unless the request sets a page size. Further pages are
        // still followed, so that the output is complete if a server pages by default.
        string nextPageToken = response.NextPageToken;
        while (nextPageToken.Length > 0)
        {
            request.PageToken = nextPageToken;
            var page = await client.GetNpsAsync(request, cancellationToken: cancellationToken);
            response.Groups.AddRange(page.Groups);
            nextPageToken = page.NextPageToken;
        }

        response.NextPageToken = "";

        if (parseResult.GetValue(_json))
        {
            var settings = JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation();
            var formatter = new JsonFormatter(settings);
            Console.WriteLine(formatter.Format(response));
        }
        else
        {
            Consoles.CreateStdout().Write(NpsTable.Build(response, request.GroupBy, request.ConfidenceLevel));
        }

        return ExitCodes.Success;
    }

    private static Timestamp? ParseInstant(string? text, string optionName)
    {
        if (text is null)
        {
            return null;
        }

        DateTime instant = new InstantParser(null, TimeZoneInfo.Utc).TryParse(text, out string? error)
            ?? throw new UsageException($"{optionName} {error}.");
        return Timestamp.FromDateTime(instant);
    }
}

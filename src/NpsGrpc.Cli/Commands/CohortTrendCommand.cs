using System.CommandLine;
using System.CommandLine.Parsing;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Commands;

/// <summary>
/// The 'nps cohorts trend' command: customers grouped by the month or year of a date attribute or of their first
/// response, with each cohort's NPS per period (CohortService.GetCohortMatrix).
/// </summary>
internal sealed class CohortTrendCommand
{
    private static readonly Dictionary<string, BucketWidth> Widths = new()
    {
        ["day"] = BucketWidth.Day,
        ["week"] = BucketWidth.IsoWeek,
        ["month"] = BucketWidth.Month,
        ["quarter"] = BucketWidth.Quarter,
        ["year"] = BucketWidth.Year,
    };

    private readonly QueryOptions _query = new(
        "Print the GetCohortMatrix response as JSON (protobuf JSON mapping, unrounded) instead of a table.");

    private readonly Option<string?> _byDate = new("--by-date")
    {
        Description = "Put each customer in the cohort of the date in this response attribute. Give exactly one " +
            "of --by-date, --by-date-customer and --first-response.",
        HelpName = "KEY",
    };

    private readonly Option<string?> _byDateCustomer = new("--by-date-customer")
    {
        Description = "Put each customer in the cohort of the date in this customer attribute, such as a sign-up " +
            "date. Values are ISO 8601 dates or date-times; missing and invalid values are left out and counted.",
        HelpName = "KEY",
    };

    private readonly Option<bool> _firstResponse = new("--first-response")
    {
        Description = "Put each customer in the cohort of their first response in the surveys queried.",
    };

    private readonly Option<string> _cohortWidth = new("--cohort-width")
    {
        Description = "Width of a cohort: day, week, month, quarter or year.",
        HelpName = "WIDTH",
        DefaultValueFactory = _ => "month",
    };

    private readonly Option<string> _period = new("--period")
    {
        Description = "Width of a period of responses: day, week, month, quarter or year.",
        HelpName = "WIDTH",
        DefaultValueFactory = _ => "month",
    };

    private readonly Option<string> _from = new("--from")
    {
        Description = "Start of the response range: an ISO 8601 date or date-time, read in --tz when it has no " +
            "offset. The first period is the one that contains it.",
        HelpName = "INSTANT",
        Required = true,
    };

    private readonly Option<string> _to = new("--to")
    {
        Description = "Exclusive end of the response range, in the same form as --from.",
        HelpName = "INSTANT",
        Required = true,
    };

    private readonly Option<int> _minN = new("--min-n")
    {
        Description = "Mark cells with fewer responses than N as an insufficient sample (default: the server's, 30).",
        HelpName = "N",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create() => new CohortTrendCommand().Build();

    private Command Build()
    {
        QueryOptions.AcceptOnly(_cohortWidth, Widths.Keys);
        QueryOptions.AcceptOnly(_period, Widths.Keys);
        _minN.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));
        var command = new Command(
            "trend",
            "Show NPS by time-based cohort: customers grouped by the month (or another width) of a date attribute " +
            "or of their first response, one row per cohort and one column per period with NPS and n. Cells " +
            "marked * have fewer responses than --min-n. Responses without a valid date are left out and counted.");
        Option[] options = [_query.Surveys, _byDate, _byDateCustomer, _firstResponse, _cohortWidth, _period, _from, _to, _minN];
        foreach (var option in options.Concat(_query.FilterAndOutputOptions))
        {
            command.Options.Add(option);
        }

        command.Validators.Add(ValidateSource);
        CommandActions.Set(command, RunAsync);
        return command;
    }

    private void ValidateSource(CommandResult command)
    {
        int sources = (command.GetValue(_byDate) is null ? 0 : 1) + (command.GetValue(_byDateCustomer) is null ? 0 : 1)
            + (command.GetValue(_firstResponse) ? 1 : 0);
        if (sources != 1)
        {
            command.AddError("Give exactly one of --by-date KEY, --by-date-customer KEY and --first-response.");
        }
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        TimeZoneInfo timeZone = _query.ReadTimeZone(parseResult);
        string fromText = parseResult.GetRequiredValue(_from);
        string toText = parseResult.GetRequiredValue(_to);
        var start = QueryOptions.ParseInstant(fromText, "--from", timeZone)!;
        var end = QueryOptions.ParseInstant(toText, "--to", timeZone)!;
        if (end.ToDateTime() <= start.ToDateTime())
        {
            throw new UsageException(
                $"--to {toText} is not after --from {fromText}; --to is the exclusive end of the range.");
        }

        var request = new GetCohortMatrixRequest
        {
            StartTime = start,
            EndTime = end,
            CohortWidth = Widths[parseResult.GetRequiredValue(_cohortWidth)],
            PeriodWidth = Widths[parseResult.GetRequiredValue(_period)],
            TimeZone = InstantParser.IanaId(timeZone),
            MinSampleSize = parseResult.GetValue(_minN),
            Weighted = parseResult.GetValue(_query.Weighted),
            Filters = { _query.ReadFilters(parseResult) },
            CohortFilters = { _query.ReadCohorts(parseResult) },
        };
        if (parseResult.GetValue(_firstResponse))
        {
            request.CohortSource = CohortSource.FirstResponse;
        }
        else
        {
            request.CohortSource = CohortSource.DateAttribute;
            request.DateAttribute = parseResult.GetValue(_byDate) is { } responseKey
                ? new AttributeRef { Key = responseKey, Scope = AttributeScope.Response }
                : new AttributeRef { Key = parseResult.GetValue(_byDateCustomer)!, Scope = AttributeScope.Customer };
        }

        _query.SetSurveys(parseResult, surveyId => request.SurveyId = surveyId, request.SurveyIds);

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new CohortService.CohortServiceClient(channel);
        var response = await client.GetCohortMatrixAsync(request, cancellationToken: cancellationToken);

        if (parseResult.GetValue(_query.Json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        var console = Consoles.CreateStdout();
        console.Write(CohortMatrixTable.Build(response));
        foreach (string line in CohortMatrixTable.LeftOutLines(response))
        {
            console.WriteLine(line);
        }

        return ExitCodes.Success;
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>
/// The 'nps segments' command: NPS per group with filters, shares, the difference of each group from overall and
/// its significance.
/// </summary>
internal sealed class SegmentsCommand
{
    private const int MaxGroupBy = 3;

    // Groups per GetNps call. The command fetches every page.
    private const int PageSize = 500;

    private static readonly Dictionary<string, GroupOrder> SortOrders = new()
    {
        ["key"] = GroupOrder.Unspecified,
        ["n"] = GroupOrder.ResponseCountDesc,
        ["nps"] = GroupOrder.NpsDesc,
        ["nps-asc"] = GroupOrder.NpsAsc,
        ["p"] = GroupOrder.PValueAsc,
    };

    private readonly Option<string[]> _byCohort = QueryOptions.CreateByCohortOption(
        "Show the groups (or one row, without --by and --by-customer) of");

    private readonly QueryOptions _query = new(
        "Print the GetNps response as JSON (protobuf JSON mapping, unrounded, every page merged) instead of a table.");

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
        Description = "Inclusive start of the response time range: an ISO 8601 date or date-time, read in --tz " +
            "when it has no offset.",
        HelpName = "INSTANT",
    };

    private readonly Option<string?> _to = new("--to")
    {
        Description = "Exclusive end of the response time range, in the same form as --from.",
        HelpName = "INSTANT",
    };

    private readonly Option<bool> _wald = new("--wald")
    {
        Description = "Use the Wald interval instead of the adjusted Wald interval.",
    };

    private readonly Option<double> _confidence = QueryOptions.CreateConfidenceOption();

    private readonly Option<int> _minN = new("--min-n")
    {
        Description = "Flag groups with fewer responses than N as an insufficient sample (default: the server's, " +
            "30).",
        HelpName = "N",
    };

    private readonly Option<string> _sort = new("--sort")
    {
        Description = "Order of the groups: key (by group values, missing last), n (largest first), nps (highest " +
            "first), nps-asc (lowest first) or p (smallest p-value of the difference from overall first).",
        HelpName = "ORDER",
        DefaultValueFactory = _ => "key",
    };

    private readonly Option<int> _top = new("--top")
    {
        Description = "Show only the first K groups in --sort order; 0 shows all.",
        HelpName = "K",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create() => new SegmentsCommand().Build();

    private Command Build()
    {
        QueryOptions.AcceptOnly(_sort, SortOrders.Keys);
        _minN.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));
        _top.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));

        var command = new Command(
            "segments",
            "Show the Net Promoter Score per group: n, shares of promoters, passives and detractors, NPS (one " +
            "decimal) with its confidence interval, and the difference from overall with its p-value and the " +
            "Benjamini-Hochberg adjusted p-value, which tests the group against the other responses. A group is " +
            "marked significant when its adjusted p-value is below 1 - confidence. The overall row comes last.");
        Option[] options = [_query.Surveys, _by, _byCustomer, _byCohort, _from, _to, _wald, _confidence, _minN, _sort, _top];
        foreach (var option in options.Concat(_query.FilterAndOutputOptions))
        {
            command.Options.Add(option);
        }

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
        TimeZoneInfo timeZone = _query.ReadTimeZone(parseResult);
        var start = QueryOptions.ParseInstant(parseResult.GetValue(_from), "--from", timeZone);
        var end = QueryOptions.ParseInstant(parseResult.GetValue(_to), "--to", timeZone);
        if (start is not null && end is not null && end.ToDateTime() <= start.ToDateTime())
        {
            throw new UsageException(
                $"--to {parseResult.GetValue(_to)} is not after --from {parseResult.GetValue(_from)}; --to is the " +
                "exclusive end of the range.");
        }

        var request = new GetNpsRequest
        {
            StartTime = start,
            EndTime = end,
            ConfidenceLevel = parseResult.GetValue(_confidence),
            IntervalMethod = parseResult.GetValue(_wald) ? IntervalMethod.Wald : IntervalMethod.AdjustedWald,
            MinSampleSize = parseResult.GetValue(_minN),
            Weighted = parseResult.GetValue(_query.Weighted),
            OrderBy = SortOrders[parseResult.GetRequiredValue(_sort)],
            TopK = parseResult.GetValue(_top),
            PageSize = PageSize,
            Filters = { _query.ReadFilters(parseResult) },
            CohortFilters = { _query.ReadCohorts(parseResult) },
            GroupByCohorts = { parseResult.GetValue(_byCohort) ?? [] },
        };
        _query.SetSurveys(parseResult, surveyId => request.SurveyId = surveyId, request.SurveyIds);
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
        var response = await GroupPaging.GetAllPagesAsync(client, request, cancellationToken);

        if (parseResult.GetValue(_query.Json))
        {
            JsonOutput.Write(response);
        }
        else
        {
            bool byCohort = request.GroupByCohorts.Count > 0;
            Consoles.CreateStdout().Write(SegmentsTable.Build(response, request.GroupBy, byCohort, request.ConfidenceLevel));
        }

        return ExitCodes.Success;
    }
}

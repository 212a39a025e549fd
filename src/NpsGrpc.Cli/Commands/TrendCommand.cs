using System.CommandLine;
using System.CommandLine.Parsing;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps trend' command: NPS per time bucket in a time zone, with rolling figures and changes.</summary>
internal sealed class TrendCommand
{
    // The API's limit of GetNpsTrendRequest.rolling_window.
    private const int MaxRollingWindow = 366;

    private static readonly Dictionary<string, BucketWidth> BucketWidths = new()
    {
        ["day"] = BucketWidth.Day,
        ["week"] = BucketWidth.IsoWeek,
        ["month"] = BucketWidth.Month,
        ["quarter"] = BucketWidth.Quarter,
        ["year"] = BucketWidth.Year,
    };

    private readonly QueryOptions _query = new(
        "Print the GetNpsTrend response as JSON (protobuf JSON mapping, unrounded) instead of tables.");

    private readonly SingleAttributeOptions _segment = new("Add one series per value of");

    private readonly Option<string[]> _byCohort = QueryOptions.CreateByCohortOption(
        "Add a series (and, with --by or --by-customer, one per value) for");

    private readonly Option<string> _from = new("--from")
    {
        Description = "Start of the range: an ISO 8601 date or date-time, read in --tz when it has no offset. " +
            "The first bucket is the one that contains it.",
        HelpName = "INSTANT",
        Required = true,
    };

    private readonly Option<string> _to = new("--to")
    {
        Description = "Exclusive end of the range, in the same form as --from. The last bucket is the one that " +
            "contains the instant just before it.",
        HelpName = "INSTANT",
        Required = true,
    };

    private readonly Option<string> _bucket = new("--bucket")
    {
        Description = "Width of the buckets in the calendar of --tz: day, week (ISO 8601, Monday to Sunday, " +
            "labelled like 2026-W13), month, quarter or year.",
        HelpName = "WIDTH",
        Required = true,
    };

    private readonly Option<int> _rolling = new("--rolling")
    {
        Description = "Also show n and NPS over the last N buckets up to each bucket, from their counts (for " +
            $"example 28 with day buckets for a 28-day rolling NPS); N from 2 to {MaxRollingWindow}.",
        HelpName = "N",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create() => new TrendCommand().Build();

    private Command Build()
    {
        QueryOptions.AcceptOnly(_bucket, BucketWidths.Keys);
        _rolling.Validators.Add(result =>
        {
            int window = result.GetValueOrDefault<int>();
            if (window is < 2 or > MaxRollingWindow)
            {
                result.AddError($"--rolling is {window}; it must be from 2 to {MaxRollingWindow} buckets.");
            }
        });

        var command = new Command(
            "trend",
            "Show the Net Promoter Score per time bucket, one table per series (overall first, then one per " +
            "value of --by or --by-customer): n, NPS (one decimal) with its 95% confidence interval, and the " +
            "change from the previous bucket with its p-value and the Benjamini-Hochberg adjusted p-value over " +
            "the series. A change is marked significant when its adjusted p-value is below 0.05. Empty buckets " +
            "show n 0 and a dash for NPS.");
        Option[] options = [_query.Surveys, _from, _to, _bucket, _rolling, .. _segment.All, _byCohort];
        foreach (var option in options.Concat(_query.FilterAndOutputOptions))
        {
            command.Options.Add(option);
        }

        command.Validators.Add(_segment.Validate);
        CommandActions.Set(command, RunAsync);
        return command;
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

        var request = new GetNpsTrendRequest
        {
            StartTime = start,
            EndTime = end,
            BucketWidth = BucketWidths[parseResult.GetRequiredValue(_bucket)],
            TimeZone = InstantParser.IanaId(timeZone),
            RollingWindow = parseResult.GetValue(_rolling),
            Weighted = parseResult.GetValue(_query.Weighted),
            SegmentBy = _segment.Read(parseResult),
            Filters = { _query.ReadFilters(parseResult) },
            CohortFilters = { _query.ReadCohorts(parseResult) },
            SegmentByCohorts = { parseResult.GetValue(_byCohort) ?? [] },
        };
        _query.SetSurveys(parseResult, surveyId => request.SurveyId = surveyId, request.SurveyIds);

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new QueryService.QueryServiceClient(channel);
        var response = await client.GetNpsTrendAsync(request, cancellationToken: cancellationToken);

        if (parseResult.GetValue(_query.Json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        var console = Consoles.CreateStdout();
        foreach (var series in response.Series)
        {
            console.Write(TrendTable.Build(series, request.RollingWindow));
        }

        return ExitCodes.Success;
    }
}

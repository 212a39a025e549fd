using System.CommandLine;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace NpsGrpc.Cli.Commands;

/// <summary>
/// The 'nps compare' command: the NPS of a current and a baseline time range, the change with its test, and its
/// split into mix and within effects.
/// </summary>
internal sealed class CompareCommand
{
    private static readonly string RangeHelp =
        "FROM..TO with ISO 8601 dates or date-times (TO is exclusive, so 2026-03-01..2026-04-01 is March; " +
        "without an offset they are read in --tz), or a calendar period in --tz: " +
        $"{string.Join(", ", TimeRangeParser.Shortcuts)}. Weeks start on Monday, this-month is the whole " +
        "current month including the days still to come, and last-month is the month before it.";

    private readonly QueryOptions _query = new(
        "Print the CompareNps response as JSON (protobuf JSON mapping, unrounded) instead of tables.");

    private readonly SingleAttributeOptions _decompose = new(
        "Split the change into mix effects (segment shares moved) and within effects (segment NPS moved) by");

    private readonly Option<string> _current = new("--current")
    {
        HelpName = "RANGE",
        Required = true,
    };

    private readonly Option<string> _baseline = new("--baseline")
    {
        HelpName = "RANGE",
        Required = true,
    };

    /// <summary>Creates the command.</summary>
    public static Command Create() => new CompareCommand().Build();

    private Command Build()
    {
        _current.Description = "The time range of interest: " + RangeHelp;
        _baseline.Description = "The time range compared with, in the same forms as --current.";

        var command = new Command(
            "compare",
            "Compare the Net Promoter Score of two time ranges: both ranges' figures, the change (current minus " +
            "baseline) with its standard error and p-value, and with --by or --by-customer a table that splits " +
            "the change per segment. A segment's mix effect is (current share - baseline share) x baseline NPS, " +
            "its within effect current share x (current NPS - baseline NPS). The change equals their sums plus a " +
            "residual, which is 0 unless a customer attribute has several values.");
        Option[] options = [_query.Surveys, _current, _baseline, .. _decompose.All];
        foreach (var option in options.Concat(_query.FilterAndOutputOptions))
        {
            command.Options.Add(option);
        }

        command.Validators.Add(_decompose.Validate);
        CommandActions.Set(command, RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        TimeZoneInfo timeZone = _query.ReadTimeZone(parseResult);
        var ranges = new TimeRangeParser(timeZone);
        DateTime now = DateTime.UtcNow;
        var request = new CompareNpsRequest
        {
            Current = ParseRange(ranges, parseResult.GetRequiredValue(_current), "--current", now),
            Baseline = ParseRange(ranges, parseResult.GetRequiredValue(_baseline), "--baseline", now),
            Weighted = parseResult.GetValue(_query.Weighted),
            DecomposeBy = _decompose.Read(parseResult),
            Filters = { _query.ReadFilters(parseResult) },
            CohortFilters = { _query.ReadCohorts(parseResult) },
        };
        _query.SetSurveys(parseResult, surveyId => request.SurveyId = surveyId, request.SurveyIds);

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new QueryService.QueryServiceClient(channel);
        var response = await client.CompareNpsAsync(request, cancellationToken: cancellationToken);

        if (parseResult.GetValue(_query.Json))
        {
            JsonOutput.Write(response);
        }
        else
        {
            ComparisonTables.Write(Consoles.CreateStdout(), request, response, timeZone);
        }

        return ExitCodes.Success;
    }

    private static TimeRange ParseRange(TimeRangeParser parser, string text, string optionName, DateTime utcNow)
    {
        InstantRange range = parser.TryParse(text, utcNow, out string? error)
            ?? throw new UsageException($"{optionName} {error}.");
        return new TimeRange
        {
            StartTime = Timestamp.FromDateTime(range.Start),
            EndTime = Timestamp.FromDateTime(range.End),
        };
    }
}

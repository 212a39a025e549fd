using System.CommandLine;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps themes' command: the words and phrases most distinctive of promoters' and detractors' comments.</summary>
internal sealed class ThemesCommand
{
    private readonly InsightOptions _insight = new(
        "Print the GetCommentThemes response as JSON (protobuf JSON mapping, unrounded).");

    private readonly Option<int> _top = new("--top")
    {
        Description = "Terms shown per side, 1 to 200 (default: the server's, 20).",
        HelpName = "K",
    };

    private readonly Option<int> _minCount = new("--min-count")
    {
        Description = "Leave out terms used fewer than N times in promoters' and detractors' comments together " +
            "(default: the server's, 3).",
        HelpName = "N",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create() => new ThemesCommand().Build();

    private Command Build()
    {
        _top.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));
        _minCount.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));
        var command = new Command(
            "themes",
            "Show the words and two-word phrases most distinctive of promoters' comments against detractors' " +
            "comments, and the reverse, with their counts, log-odds ratio and z-score. English stop words are left " +
            "out; Chinese, Japanese, Thai and other scripts written without spaces are split into character pairs.");
        foreach (var option in _insight.All.Append(_top).Append(_minCount))
        {
            command.Options.Add(option);
        }

        CommandActions.Set(command, RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (start, end) = _insight.ReadRange(parseResult);
        var request = new GetCommentThemesRequest
        {
            StartTime = start,
            EndTime = end,
            Filters = { _insight.Query.ReadFilters(parseResult) },
            CohortFilters = { _insight.Query.ReadCohorts(parseResult) },
            TopK = parseResult.GetValue(_top),
            MinCount = parseResult.GetValue(_minCount),
        };
        _insight.Query.SetSurveys(parseResult, surveyId => request.SurveyId = surveyId, request.SurveyIds);

        using var channel = ServerConnection.OpenChannel(parseResult);
        var response = await new InsightService.InsightServiceClient(channel)
            .GetCommentThemesAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_insight.Query.Json))
        {
            JsonOutput.Write(response);
        }
        else
        {
            CommentTables.WriteThemes(Consoles.CreateStdout(), response);
        }

        return ExitCodes.Success;
    }
}

using System.CommandLine;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps comments search' command: full-text search over comments, one page per call.</summary>
internal sealed class CommentsCommand
{
    private static readonly Dictionary<string, NpsCategory> Categories = new()
    {
        ["promoter"] = NpsCategory.Promoter,
        ["passive"] = NpsCategory.Passive,
        ["detractor"] = NpsCategory.Detractor,
    };

    private readonly InsightOptions _insight = new("Print the SearchComments response as JSON (protobuf JSON mapping).");

    private readonly Argument<string> _text = new("TEXT")
    {
        Description = "Words to search for (all must match); \"quoted phrases\", 'or' between alternatives and a " +
            "leading '-' to exclude a word work as in web search. Matching ignores case, in any language.",
    };

    private readonly Option<string[]> _category = new("--category")
    {
        Description = "Keep only responses of this category: promoter, passive or detractor; repeatable.",
        HelpName = "CATEGORY",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<int> _pageSize = new("--page-size")
    {
        Description = "Matches per page, 1 to 500 (default: the server's, 50).",
        HelpName = "N",
    };

    private readonly Option<string?> _pageToken = new("--page-token")
    {
        Description = "Token printed after the previous page, to show the next one; other options must stay the same.",
        HelpName = "TOKEN",
    };

    /// <summary>Creates the 'comments' command with its 'search' subcommand.</summary>
    public static Command Create()
    {
        var comments = new Command("comments", "Work with the comments of survey responses.");
        comments.Subcommands.Add(new CommentsCommand().BuildSearch());
        return comments;
    }

    private Command BuildSearch()
    {
        _category.Validators.Add(result =>
        {
            foreach (string value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!Categories.ContainsKey(value))
                {
                    result.AddError($"--category '{value}' is invalid; use promoter, passive or detractor.");
                }
            }
        });
        _pageSize.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));

        var command = new Command(
            "search",
            "Search the comments of a survey with PostgreSQL full-text search and show the matches newest first: " +
            "when, score, response id, customer and the matching fragments with each match between « and ».");
        command.Arguments.Add(_text);
        foreach (var option in _insight.All.Append(_category).Append(_pageSize).Append(_pageToken))
        {
            command.Options.Add(option);
        }

        CommandActions.Set(command, RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (start, end) = _insight.ReadRange(parseResult);
        var request = new SearchCommentsRequest
        {
            Query = parseResult.GetRequiredValue(_text),
            StartTime = start,
            EndTime = end,
            Filters = { _insight.Query.ReadFilters(parseResult) },
            CohortFilters = { _insight.Query.ReadCohorts(parseResult) },
            Categories = { (parseResult.GetValue(_category) ?? []).Select(c => Categories[c]) },
            PageSize = parseResult.GetValue(_pageSize),
            PageToken = parseResult.GetValue(_pageToken) ?? "",
        };
        _insight.Query.SetSurveys(parseResult, surveyId => request.SurveyId = surveyId, request.SurveyIds);

        using var channel = ServerConnection.OpenChannel(parseResult);
        var response = await new InsightService.InsightServiceClient(channel)
            .SearchCommentsAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_insight.Query.Json))
        {
            JsonOutput.Write(response);
        }
        else
        {
            CommentTables.WriteMatches(Consoles.CreateStdout(), response);
        }

        return ExitCodes.Success;
    }
}

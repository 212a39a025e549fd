using System.CommandLine;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps goals' commands: set, list, progress and delete NPS goals.</summary>
internal sealed class GoalsCommand
{
    private readonly QueryOptions _query = new("Print the API response as JSON instead of text.");

    private readonly Argument<string> _goalId = new("GOAL_ID")
    {
        Description = "Goal id: 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit.",
    };

    private readonly Option<string> _survey = new("--survey") { Description = "Survey whose responses count.", HelpName = "SURVEY_ID", Required = true };

    private readonly Option<string?> _listSurvey = new("--survey") { Description = "Only goals of this survey.", HelpName = "SURVEY_ID" };

    private readonly Option<double> _target = new("--target") { Description = "Target NPS, from -100 to 100.", HelpName = "NPS", Required = true };

    private readonly Option<string> _from = new("--from")
    {
        Description = "Start of the period, inclusive: an ISO 8601 date or instant (a bare date is the start of that day in --tz).",
        HelpName = "WHEN",
        Required = true,
    };

    private readonly Option<string> _to = new("--to")
    {
        Description = "End of the period, exclusive: an ISO 8601 date or instant (a bare date is the start of that day in --tz).",
        HelpName = "WHEN",
        Required = true,
    };

    private readonly Option<string?> _name = new("--name") { Description = "Optional display name, at most 200 characters.", HelpName = "NAME" };

    private readonly Option<double> _confidence = QueryOptions.CreateConfidenceOption();

    /// <summary>Creates the 'goals' command and its subcommands.</summary>
    public static Command Create() => new GoalsCommand().Build();

    private Command Build()
    {
        var set = new Command("set", "Create a goal: a target NPS for a survey, optionally a segment, over a period.")
        {
            _goalId, _survey, _target, _from, _to, _query.Where, _query.WhereCustomer, _query.Cohorts, _query.TimeZone,
            _confidence, _name, _query.Json,
        };
        CommandActions.Set(set, SetAsync);

        var list = new Command("list", "List goals, ordered by id.") { _listSurvey, _query.Json };
        CommandActions.Set(list, ListAsync);

        var progress = new Command("progress", "Show a goal's NPS so far, its interval and whether the target is met.")
        {
            _goalId, _query.Json,
        };
        CommandActions.Set(progress, ProgressAsync);

        var delete = new Command("delete", "Delete a goal.") { _goalId };
        CommandActions.Set(delete, DeleteAsync);

        return new Command("goals", "Target NPS per survey and period, and the progress towards it.") { set, list, progress, delete };
    }

    private async Task<int> SetAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var timeZone = _query.ReadTimeZone(parseResult);
        var goal = new Goal
        {
            GoalId = parseResult.GetRequiredValue(_goalId),
            SurveyId = parseResult.GetRequiredValue(_survey),
            TargetNps = parseResult.GetValue(_target),
            StartTime = QueryOptions.ParseInstant(parseResult.GetRequiredValue(_from), "--from", timeZone),
            EndTime = QueryOptions.ParseInstant(parseResult.GetRequiredValue(_to), "--to", timeZone),
            ConfidenceLevel = parseResult.GetValue(_confidence),
            DisplayName = parseResult.GetValue(_name) ?? "",
        };
        goal.Filters.AddRange(_query.ReadFilters(parseResult));
        goal.CohortFilters.AddRange(_query.ReadCohorts(parseResult));

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new GoalService.GoalServiceClient(channel);
        var created = (await client.CreateGoalAsync(new CreateGoalRequest { Goal = goal }, cancellationToken: cancellationToken)).Goal;
        if (parseResult.GetValue(_query.Json))
        {
            JsonOutput.Write(created);
        }
        else
        {
            Console.WriteLine($"Created goal {created.GoalId}.");
        }

        return ExitCodes.Success;
    }

    private async Task<int> ListAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new GoalService.GoalServiceClient(channel);
        var request = new ListGoalsRequest { SurveyId = parseResult.GetValue(_listSurvey) ?? "", PageSize = 1000 };
        var all = new ListGoalsResponse();
        do
        {
            var page = await client.ListGoalsAsync(request, cancellationToken: cancellationToken);
            all.Goals.AddRange(page.Goals);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        if (parseResult.GetValue(_query.Json))
        {
            JsonOutput.Write(all);
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("id", "survey", "target", "from", "to", "conditions", "cohorts", "name");
        foreach (var goal in all.Goals)
        {
            table.AddRow(
                TerminalText.Cell(goal.GoalId), TerminalText.Cell(goal.SurveyId), TerminalText.Cell(NumberText.OneDecimal(goal.TargetNps)),
                TerminalText.Cell(OutreachOptions.FormatTime(goal.StartTime)), TerminalText.Cell(OutreachOptions.FormatTime(goal.EndTime)),
                TerminalText.Cell(NumberText.Integer(goal.Filters.Count)), TerminalText.Cell(string.Join(", ", goal.CohortFilters)),
                TerminalText.Cell(goal.DisplayName));
        }

        Consoles.CreateStdout().Write(table);
        return ExitCodes.Success;
    }

    private async Task<int> ProgressAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new GoalService.GoalServiceClient(channel);
        var progress = await client.GetGoalProgressAsync(
            new GetGoalProgressRequest { GoalId = parseResult.GetRequiredValue(_goalId) }, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_query.Json))
        {
            JsonOutput.Write(progress);
            return ExitCodes.Success;
        }

        var statistics = progress.Statistics;
        string nps = statistics.HasNps ? NumberText.OneDecimal(statistics.Nps) : "-";
        string interval = statistics.HasNps && statistics.ConfidenceInterval is { } ci
            ? $"[{NumberText.OneDecimal(ci.Lower)}, {NumberText.OneDecimal(ci.Upper)}] at {NumberText.OneDecimal(100 * ci.Level)} %"
            : "-";
        Console.WriteLine($"goal: {progress.Goal.GoalId} (survey {progress.Goal.SurveyId}, target {NumberText.OneDecimal(progress.Goal.TargetNps)})");
        if (progress.Goal.CohortFilters.Count > 0)
        {
            Console.WriteLine($"cohorts: {string.Join(", ", progress.Goal.CohortFilters)}");
        }

        Console.WriteLine($"state: {StateWord(progress.State)}{(progress.PeriodEnded ? " (period ended)" : "")}");
        Console.WriteLine($"responses: {NumberText.Integer(statistics.ResponseCount)} until {OutreachOptions.FormatTime(progress.EvaluatedUntil)}");
        Console.WriteLine($"nps: {nps}");
        Console.WriteLine($"interval: {interval}");
        return ExitCodes.Success;
    }

    private async Task<int> DeleteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new GoalService.GoalServiceClient(channel);
        string goalId = parseResult.GetRequiredValue(_goalId);
        await client.DeleteGoalAsync(new DeleteGoalRequest { GoalId = goalId }, cancellationToken: cancellationToken);
        Console.WriteLine($"Deleted goal {goalId}.");
        return ExitCodes.Success;
    }

    private static string StateWord(GoalState state) => state switch
    {
        GoalState.NotStarted => "not started",
        GoalState.Met => "met",
        GoalState.Missed => "missed",
        _ => "undecided",
    };
}

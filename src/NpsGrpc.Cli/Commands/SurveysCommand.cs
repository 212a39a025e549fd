using System.CommandLine;
using System.Globalization;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps surveys' commands: create, get and list surveys.</summary>
internal sealed class SurveysCommand
{
    private const int DefaultPageSize = 100;

    private readonly Option<string> _createId = new("--id")
    {
        Description = "Survey id: 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit.",
        HelpName = "ID",
        Required = true,
    };

    private readonly Option<string> _createName = new("--name")
    {
        Description = "Display name, 1 to 200 characters.",
        HelpName = "NAME",
        Required = true,
    };

    private readonly Option<string?> _createDescription = new("--description")
    {
        Description = "Optional free text, at most 2000 characters.",
        HelpName = "TEXT",
    };

    private readonly Argument<string> _getId = new("ID") { Description = "Id of the survey." };

    private readonly Option<int> _pageSize = CreatePageSizeOption();

    /// <summary>Creates the 'surveys' command and its subcommands.</summary>
    public static Command Create() => new SurveysCommand().Build();

    private static Option<int> CreatePageSizeOption()
    {
        var option = new Option<int>("--page-size")
        {
            Description = $"Surveys per request (default {DefaultPageSize}, at most 1000); every page is listed.",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultPageSize,
        };
        option.Validators.Add(result => CsvOptions.RequireAtLeast(result, 1));
        return option;
    }

    private Command Build()
    {
        var create = new Command("create", "Create a survey.") { _createId, _createName, _createDescription };
        CommandActions.Set(create, CreateAsync);

        var get = new Command("get", "Show one survey.") { _getId };
        CommandActions.Set(get, GetAsync);

        var list = new Command("list", "List all surveys, ordered by id.") { _pageSize };
        CommandActions.Set(list, ListAsync);

        return new Command("surveys", "Manage surveys, the containers responses are ingested into.")
        {
            create, get, list,
        };
    }

    private async Task<int> CreateAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new SurveyService.SurveyServiceClient(channel);
        var request = new CreateSurveyRequest
        {
            Survey = new Survey
            {
                SurveyId = parseResult.GetRequiredValue(_createId),
                DisplayName = parseResult.GetRequiredValue(_createName),
                Description = parseResult.GetValue(_createDescription) ?? "",
            },
        };
        var response = await client.CreateSurveyAsync(request, cancellationToken: cancellationToken);
        Console.WriteLine($"Created survey {response.Survey.SurveyId}.");
        return ExitCodes.Success;
    }

    private async Task<int> GetAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new SurveyService.SurveyServiceClient(channel);
        var request = new GetSurveyRequest { SurveyId = parseResult.GetRequiredValue(_getId) };
        var survey = (await client.GetSurveyAsync(request, cancellationToken: cancellationToken)).Survey;
        Console.WriteLine($"id: {survey.SurveyId}");
        Console.WriteLine($"name: {survey.DisplayName}");
        Console.WriteLine($"description: {survey.Description}");
        Console.WriteLine($"created: {FormatTime(survey)}");
        return ExitCodes.Success;
    }

    private async Task<int> ListAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new SurveyService.SurveyServiceClient(channel);
        var table = new Table().AddColumns("id", "name", "created", "description");
        var request = new ListSurveysRequest { PageSize = parseResult.GetValue(_pageSize) };
        do
        {
            var page = await client.ListSurveysAsync(request, cancellationToken: cancellationToken);
            foreach (var survey in page.Surveys)
            {
                table.AddRow(
                    TerminalText.Cell(survey.SurveyId), TerminalText.Cell(survey.DisplayName), TerminalText.Cell(FormatTime(survey)),
                    TerminalText.Cell(survey.Description));
            }

            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        Consoles.CreateStdout().Write(table);
        return ExitCodes.Success;
    }

    private static string FormatTime(Survey survey) =>
        survey.CreateTime?.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}

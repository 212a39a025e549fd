using System.CommandLine;
using System.Globalization;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps cohorts' commands: create, list, get and delete named cohorts, and the time-based cohort matrix.</summary>
internal sealed class CohortsCommand
{
    private const int PageSize = 200;

    private readonly Argument<string> _name = new("NAME")
    {
        Description = "Cohort name: 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit.",
    };

    private readonly QueryOptions _conditions = new("Print the created cohort as JSON (protobuf JSON mapping).");

    private readonly Option<string?> _description = new("--description")
    {
        Description = "Optional free text, at most 2000 characters.",
        HelpName = "TEXT",
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print the response as JSON (protobuf JSON mapping) instead of text.",
    };

    /// <summary>Creates the 'cohorts' command and its subcommands.</summary>
    public static Command Create() => new CohortsCommand().Build();

    private Command Build()
    {
        var create = new Command(
            "create",
            "Create a named cohort from conditions on customer (--where-customer) or response (--where) attributes; " +
            "a response is in the cohort when every condition holds. Cohorts are shared by every survey.")
        {
            _name, _conditions.Where, _conditions.WhereCustomer, _description, _conditions.Json,
        };
        CommandActions.Set(create, CreateAsync);

        var get = new Command("get", "Show one cohort and its conditions.") { _name, _json };
        CommandActions.Set(get, GetAsync);

        var list = new Command("list", "List every cohort, ordered by name.") { _json };
        CommandActions.Set(list, ListAsync);

        var delete = new Command("delete", "Delete a cohort. Queries that name it fail afterwards.") { _name };
        CommandActions.Set(delete, DeleteAsync);

        return new Command(
            "cohorts",
            "Manage named cohorts, which the query commands take with --cohort and --by-cohort, and show NPS by " +
            "time-based cohort (trend).")
        {
            create, get, list, delete, CohortTrendCommand.Create(),
        };
    }

    private async Task<int> CreateAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var conditions = _conditions.ReadFilters(parseResult);
        if (conditions.Count == 0)
        {
            throw new UsageException("Give at least one --where or --where-customer condition.");
        }

        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new CohortService.CohortServiceClient(channel);
        var request = new CreateCohortRequest
        {
            Cohort = new Cohort
            {
                Name = parseResult.GetRequiredValue(_name),
                Description = parseResult.GetValue(_description) ?? "",
                Conditions = { conditions },
            },
        };
        var response = await client.CreateCohortAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_conditions.Json))
        {
            JsonOutput.Write(response);
        }
        else
        {
            Console.WriteLine($"Created cohort {response.Cohort.Name}.");
        }

        return ExitCodes.Success;
    }

    private async Task<int> GetAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new CohortService.CohortServiceClient(channel);
        var request = new GetCohortRequest { Name = parseResult.GetRequiredValue(_name) };
        var response = await client.GetCohortAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        var cohort = response.Cohort;
        Console.WriteLine($"name: {cohort.Name}");
        Console.WriteLine($"description: {cohort.Description}");
        Console.WriteLine($"created: {FormatTime(cohort)}");
        foreach (var condition in cohort.Conditions)
        {
            Console.WriteLine($"condition: {ConditionText.Format(condition)}");
        }

        return ExitCodes.Success;
    }

    private async Task<int> ListAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new CohortService.CohortServiceClient(channel);
        var all = new ListCohortsResponse();
        var request = new ListCohortsRequest { PageSize = PageSize };
        do
        {
            var page = await client.ListCohortsAsync(request, cancellationToken: cancellationToken);
            all.Cohorts.AddRange(page.Cohorts);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(all);
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("name", "conditions", "created", "description");
        foreach (var cohort in all.Cohorts)
        {
            table.AddRow(
                TerminalText.Cell(cohort.Name),
                TerminalText.Cell(string.Join("; ", cohort.Conditions.Select(ConditionText.Format))),
                TerminalText.Cell(FormatTime(cohort)),
                TerminalText.Cell(cohort.Description));
        }

        Consoles.CreateStdout().Write(table);
        return ExitCodes.Success;
    }

    private async Task<int> DeleteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new CohortService.CohortServiceClient(channel);
        string name = parseResult.GetRequiredValue(_name);
        await client.DeleteCohortAsync(new DeleteCohortRequest { Name = name }, cancellationToken: cancellationToken);
        Console.WriteLine($"Deleted cohort {name}.");
        return ExitCodes.Success;
    }

    private static string FormatTime(Cohort cohort) =>
        cohort.CreateTime?.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}

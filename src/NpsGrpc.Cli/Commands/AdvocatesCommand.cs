using System.CommandLine;
using System.Globalization;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps advocates' commands: list and update advocacy candidates.</summary>
internal sealed class AdvocatesCommand
{
    private static readonly Dictionary<string, AdvocateStatus> Statuses = new(StringComparer.Ordinal)
    {
        ["candidate"] = AdvocateStatus.Candidate,
        ["requested"] = AdvocateStatus.Requested,
        ["agreed"] = AdvocateStatus.Agreed,
        ["declined"] = AdvocateStatus.Declined,
        ["done"] = AdvocateStatus.Done,
    };

    private readonly OutreachOptions _options = new();

    private readonly Option<string[]> _statuses = new("--status")
    {
        Description = "Only candidates in this status (candidate, requested, agreed, declined, done); repeat for several.",
        HelpName = "STATUS",
    };

    private readonly Argument<long> _itemId = new("ITEM_ID") { Description = "Id of the advocacy candidate." };

    private readonly Option<long> _version = new("--version")
    {
        Description = "The version of the candidate as last listed; the update fails when someone changed it since.",
        HelpName = "N",
        Required = true,
    };

    private readonly Option<string?> _newStatus = new("--set-status")
    {
        Description = "New status: candidate, requested, agreed, declined or done.",
        HelpName = "STATUS",
    };

    private readonly Option<string?> _newOwner = new("--set-owner") { Description = "New owner; an empty string clears it.", HelpName = "NAME" };

    private readonly Option<string?> _newNote = new("--set-note") { Description = "New note; an empty string clears it.", HelpName = "TEXT" };

    /// <summary>Creates the 'advocates' command and its subcommands.</summary>
    public static Command Create() => new AdvocatesCommand().Build();

    private Command Build()
    {
        var list = new Command("list", "List advocacy candidates (promoters who left a comment), oldest first.")
        {
            _options.Survey, _statuses, _options.Owner, _options.From, _options.To, _options.Json,
        };
        CommandActions.Set(list, ListAsync);

        var update = new Command("update", "Change the status, owner or note of an advocacy candidate.")
        {
            _itemId, _version, _newStatus, _newOwner, _newNote, _options.Json,
        };
        CommandActions.Set(update, UpdateAsync);

        return new Command("advocates", "Promoters who left a comment, to ask for a review or testimonial.") { list, update };
    }

    private async Task<int> ListAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new FollowUpService.FollowUpServiceClient(channel);
        var request = new ListAdvocatesRequest { Filter = _options.Filter(parseResult), PageSize = 1000 };
        request.Statuses.AddRange((parseResult.GetValue(_statuses) ?? []).Select(s => OutreachOptions.ParseEnum(s, "--status", Statuses)));
        var all = new ListAdvocatesResponse();
        do
        {
            var page = await client.ListAdvocatesAsync(request, cancellationToken: cancellationToken);
            all.Items.AddRange(page.Items);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        if (parseResult.GetValue(_options.Json))
        {
            JsonOutput.Write(all);
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("id", "version", "status", "survey", "customer", "score", "responded", "owner", "note", "comment");
        foreach (var item in all.Items)
        {
            table.AddRow(
                TerminalText.Cell(item.ItemId.ToString(CultureInfo.InvariantCulture)), TerminalText.Cell(item.Version.ToString(CultureInfo.InvariantCulture)),
                TerminalText.Cell(Word(item.Status)), TerminalText.Cell(item.Response.SurveyId), TerminalText.Cell(item.Response.CustomerId),
                TerminalText.Cell(OutreachOptions.FormatScore(item.Response)), TerminalText.Cell(OutreachOptions.FormatTime(item.Response.RespondedAt)),
                TerminalText.Cell(item.Owner), TerminalText.Cell(item.Note), TerminalText.Cell(item.Response.Comment));
        }

        Consoles.CreateStdout().Write(table);
        return ExitCodes.Success;
    }

    private async Task<int> UpdateAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new FollowUpService.FollowUpServiceClient(channel);
        var request = new UpdateAdvocateRequest { ItemId = parseResult.GetValue(_itemId), Version = parseResult.GetValue(_version) };
        if (parseResult.GetValue(_newStatus) is { } status)
        {
            request.Status = OutreachOptions.ParseEnum(status, "--set-status", Statuses);
        }

        if (parseResult.GetValue(_newOwner) is { } owner)
        {
            request.Owner = owner;
        }

        if (parseResult.GetValue(_newNote) is { } note)
        {
            request.Note = note;
        }

        var item = (await client.UpdateAdvocateAsync(request, cancellationToken: cancellationToken)).Item;
        if (parseResult.GetValue(_options.Json))
        {
            JsonOutput.Write(item);
        }
        else
        {
            Console.WriteLine($"Advocacy candidate {item.ItemId} is {Word(item.Status)}, version {item.Version}.");
        }

        return ExitCodes.Success;
    }

    private static string Word(AdvocateStatus status) => Statuses.First(pair => pair.Value == status).Key;
}

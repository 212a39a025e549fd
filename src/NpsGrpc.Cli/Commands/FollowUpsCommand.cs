using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps followups' commands: list, update and watch follow-up items.</summary>
internal sealed class FollowUpsCommand
{
    private static readonly Dictionary<string, FollowUpStatus> Statuses = new(StringComparer.Ordinal)
    {
        ["open"] = FollowUpStatus.Open,
        ["contacted"] = FollowUpStatus.Contacted,
        ["resolved"] = FollowUpStatus.Resolved,
        ["dismissed"] = FollowUpStatus.Dismissed,
    };

    private static readonly Dictionary<string, OutreachReason> Reasons = new(StringComparer.Ordinal)
    {
        ["detractor"] = OutreachReason.Detractor,
        ["score-drop"] = OutreachReason.ScoreDrop,
    };

    private readonly OutreachOptions _options = new();

    private readonly Option<string[]> _statuses = new("--status")
    {
        Description = "Only items in this status (open, contacted, resolved, dismissed); repeat for several.",
        HelpName = "STATUS",
    };

    private readonly Option<string[]> _reasons = new("--reason")
    {
        Description = "Only items opened for this reason (detractor, score-drop); repeat for both.",
        HelpName = "REASON",
    };

    private readonly Argument<long> _itemId = new("ITEM_ID") { Description = "Id of the follow-up item." };

    private readonly Option<long> _version = new("--version")
    {
        Description = "The version of the item as last listed; the update fails when someone changed it since.",
        HelpName = "N",
        Required = true,
    };

    private readonly Option<string?> _newStatus = new("--set-status")
    {
        Description = "New status: open, contacted, resolved or dismissed.",
        HelpName = "STATUS",
    };

    private readonly Option<string?> _newOwner = new("--set-owner") { Description = "New owner; an empty string clears it.", HelpName = "NAME" };

    private readonly Option<string?> _newNote = new("--set-note") { Description = "New note; an empty string clears it.", HelpName = "TEXT" };

    private readonly Option<string?> _cursor = new("--cursor")
    {
        Description = "Start after the item with this cursor, as printed by an earlier watch; default: the first item.",
        HelpName = "CURSOR",
    };

    /// <summary>Creates the 'followups' command and its subcommands.</summary>
    public static Command Create() => new FollowUpsCommand().Build();

    private Command Build()
    {
        var list = new Command("list", "List follow-up items (detractors and score drops), oldest first.")
        {
            _options.Survey, _statuses, _options.Owner, _reasons, _options.From, _options.To, _options.Json,
        };
        CommandActions.Set(list, ListAsync);

        var update = new Command("update", "Change the status, owner or note of a follow-up item.")
        {
            _itemId, _version, _newStatus, _newOwner, _newNote, _options.Json,
        };
        CommandActions.Set(update, UpdateAsync);

        var watch = new Command("watch", "Print follow-up items as ingest opens them, one line each, until Ctrl+C.")
        {
            _options.Survey, _cursor, _options.Json,
        };
        CommandActions.Set(watch, WatchAsync);

        return new Command("followups", "Detractors and customers whose score dropped, to call back.") { list, update, watch };
    }

    private async Task<int> ListAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new FollowUpService.FollowUpServiceClient(channel);
        var request = new ListFollowUpsRequest { Filter = _options.Filter(parseResult), PageSize = 1000 };
        request.Statuses.AddRange((parseResult.GetValue(_statuses) ?? []).Select(s => OutreachOptions.ParseEnum(s, "--status", Statuses)));
        request.Reasons.AddRange((parseResult.GetValue(_reasons) ?? []).Select(r => OutreachOptions.ParseEnum(r, "--reason", Reasons)));
        var all = new ListFollowUpsResponse();
        do
        {
            var page = await client.ListFollowUpsAsync(request, cancellationToken: cancellationToken);
            all.Items.AddRange(page.Items);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        if (parseResult.GetValue(_options.Json))
        {
            JsonOutput.Write(all);
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("id", "version", "status", "reason", "survey", "customer", "score", "responded", "owner", "note", "comment");
        foreach (var item in all.Items)
        {
            table.AddRow(
                Cell(item.ItemId), Cell(item.Version), TerminalText.Cell(Word(item.Status)), TerminalText.Cell(Reason(item.Reason)),
                TerminalText.Cell(item.Response.SurveyId), TerminalText.Cell(item.Response.CustomerId), TerminalText.Cell(OutreachOptions.FormatScore(item.Response)),
                TerminalText.Cell(OutreachOptions.FormatTime(item.Response.RespondedAt)), TerminalText.Cell(item.Owner), TerminalText.Cell(item.Note),
                TerminalText.Cell(item.Response.Comment));
        }

        Consoles.CreateStdout().Write(table);
        return ExitCodes.Success;
    }

    private async Task<int> UpdateAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new FollowUpService.FollowUpServiceClient(channel);
        var request = new UpdateFollowUpRequest { ItemId = parseResult.GetValue(_itemId), Version = parseResult.GetValue(_version) };
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

        var item = (await client.UpdateFollowUpAsync(request, cancellationToken: cancellationToken)).Item;
        if (parseResult.GetValue(_options.Json))
        {
            JsonOutput.Write(item);
        }
        else
        {
            Console.WriteLine($"Follow-up item {item.ItemId} is {Word(item.Status)}, version {item.Version}.");
        }

        return ExitCodes.Success;
    }

    private async Task<int> WatchAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new FollowUpService.FollowUpServiceClient(channel);
        var request = new SubscribeFollowUpsRequest
        {
            SurveyId = parseResult.GetValue(_options.Survey) ?? "",
            Cursor = parseResult.GetValue(_cursor) ?? "",
        };
        bool json = parseResult.GetValue(_options.Json);
        var formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
        using var call = client.SubscribeFollowUps(request, cancellationToken: cancellationToken);
        try
        {
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                var message = call.ResponseStream.Current;
                var item = message.Item;
                Console.WriteLine(json
                    ? formatter.Format(message)
                    : string.Join('\t', item.ItemId.ToString(CultureInfo.InvariantCulture), Reason(item.Reason), item.Response.SurveyId,
                        item.Response.CustomerId, OutreachOptions.FormatScore(item.Response), message.Cursor));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Grpc.Core.RpcException exception) when (exception.StatusCode == Grpc.Core.StatusCode.Cancelled
                                                       && cancellationToken.IsCancellationRequested)
        {
        }

        return ExitCodes.Success;
    }

    private static Text Cell(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    private static string Word(FollowUpStatus status) => Statuses.First(pair => pair.Value == status).Key;

    private static string Reason(OutreachReason reason) => reason == OutreachReason.ScoreDrop ? "score-drop" : "detractor";
}

using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>Options and value parsing shared by 'nps followups' and 'nps advocates'.</summary>
internal sealed class OutreachOptions
{
    /// <summary>--survey: only items of one survey.</summary>
    public Option<string?> Survey { get; } = new("--survey") { Description = "Only items of this survey.", HelpName = "ID" };

    /// <summary>--owner: only items of one owner.</summary>
    public Option<string?> Owner { get; } = new("--owner")
    {
        Description = "Only items with this owner; an empty string selects items without an owner.",
        HelpName = "NAME",
    };

    /// <summary>--from: responses given at or after an instant.</summary>
    public Option<string?> From { get; } = new("--from")
    {
        Description = "Only items whose response was given at or after this instant (ISO 8601; UTC when no offset is given).",
        HelpName = "INSTANT",
    };

    /// <summary>--to: responses given before an instant.</summary>
    public Option<string?> To { get; } = new("--to")
    {
        Description = "Only items whose response was given before this instant (ISO 8601; UTC when no offset is given).",
        HelpName = "INSTANT",
    };

    /// <summary>--json: print the API response.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "Print the API response as JSON instead of a table." };

    /// <summary>Builds the list filter from the options.</summary>
    public OutreachFilter Filter(ParseResult parseResult)
    {
        var filter = new OutreachFilter { SurveyId = parseResult.GetValue(Survey) ?? "" };
        if (parseResult.GetValue(Owner) is { } owner)
        {
            filter.Owner = owner;
        }

        if (parseResult.GetValue(From) is { } from)
        {
            filter.RespondedAfter = ParseInstant(from, "--from");
        }

        if (parseResult.GetValue(To) is { } to)
        {
            filter.RespondedBefore = ParseInstant(to, "--to");
        }

        return filter;
    }

    /// <summary>Maps a status word to its enum value of type <typeparamref name="TStatus"/>, or throws a usage error.</summary>
    public static TStatus ParseEnum<TStatus>(string text, string option, IReadOnlyDictionary<string, TStatus> values)
        where TStatus : struct, System.Enum =>
        values.TryGetValue(text.Trim().ToLowerInvariant(), out var value)
            ? value
            : throw new UsageException($"{option} '{text}' is not valid; use one of: {string.Join(", ", values.Keys)}.");

    /// <summary>Formats an instant as UTC ISO 8601 to the second.</summary>
    public static string FormatTime(Timestamp? timestamp) =>
        timestamp?.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    /// <summary>Formats a score with the previous one, for example "2 (was 9)".</summary>
    public static string FormatScore(OutreachResponse response) =>
        response.HasPreviousScore
            ? string.Create(CultureInfo.InvariantCulture, $"{response.Score} (was {response.PreviousScore})")
            : response.Score.ToString(CultureInfo.InvariantCulture);

    private static Timestamp ParseInstant(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? Timestamp.FromDateTimeOffset(instant)
            : throw new UsageException($"{option} '{text}' is not an instant; use ISO 8601, for example 2026-11-01T00:00:00Z.");
}

using System.CommandLine;
using NpsGrpc.V1;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace NpsGrpc.Cli.Commands;

/// <summary>
/// Options shared by the insight commands personas, themes and comments search: surveys, time range, conditions,
/// cohorts, time zone and JSON output. Each command creates its own instance.
/// </summary>
internal sealed class InsightOptions(string jsonDescription)
{
    /// <summary>Surveys, conditions, cohorts, time zone and --json.</summary>
    public QueryOptions Query { get; } = new(jsonDescription);

    /// <summary>The --from option.</summary>
    public Option<string?> From { get; } = new("--from")
    {
        Description = "Inclusive start of the response time range: an ISO 8601 date or date-time, read in --tz " +
            "when it has no offset.",
        HelpName = "INSTANT",
    };

    /// <summary>The --to option.</summary>
    public Option<string?> To { get; } = new("--to")
    {
        Description = "Exclusive end of the response time range, in the same form as --from.",
        HelpName = "INSTANT",
    };

    /// <summary>Every shared option, --survey first.</summary>
    public IEnumerable<Option> All =>
        [Query.Surveys, From, To, Query.Where, Query.WhereCustomer, Query.Cohorts, Query.TimeZone, Query.Json];

    /// <summary>Reads --from and --to, or throws <see cref="UsageException"/> when they are invalid or reversed.</summary>
    public (Timestamp? Start, Timestamp? End) ReadRange(ParseResult parseResult)
    {
        TimeZoneInfo timeZone = Query.ReadTimeZone(parseResult);
        var start = QueryOptions.ParseInstant(parseResult.GetValue(From), "--from", timeZone);
        var end = QueryOptions.ParseInstant(parseResult.GetValue(To), "--to", timeZone);
        if (start is not null && end is not null && end.ToDateTime() <= start.ToDateTime())
        {
            throw new UsageException(
                $"--to {parseResult.GetValue(To)} is not after --from {parseResult.GetValue(From)}; --to is the " +
                "exclusive end of the range.");
        }

        return (start, end);
    }

    /// <summary>Reads --attribute and --customer-attribute options into attribute references, response ones first.</summary>
    public static List<AttributeRef> ReadAttributes(ParseResult parseResult, Option<string[]> response, Option<string[]> customer)
    {
        var attributes = (parseResult.GetValue(response) ?? [])
            .Select(key => new AttributeRef { Key = key, Scope = AttributeScope.Response })
            .ToList();
        attributes.AddRange((parseResult.GetValue(customer) ?? [])
            .Select(key => new AttributeRef { Key = key, Scope = AttributeScope.Customer }));
        return attributes;
    }
}

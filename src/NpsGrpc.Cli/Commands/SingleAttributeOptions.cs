using System.CommandLine;
using System.CommandLine.Parsing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>
/// The mutually exclusive --by KEY and --by-customer KEY options of commands that split by one attribute.
/// </summary>
internal sealed class SingleAttributeOptions
{
    /// <summary>
    /// Creates the options. The help text of each starts with <paramref name="effect"/>, such as "Add one series per
    /// value of", followed by the attribute's scope.
    /// </summary>
    public SingleAttributeOptions(string effect)
    {
        By = new Option<string?>("--by")
        {
            Description = $"{effect} this response attribute. Not with --by-customer.",
            HelpName = "KEY",
        };
        ByCustomer = new Option<string?>("--by-customer")
        {
            Description = $"{effect} this customer attribute; a customer with several values counts in each " +
                "value's segment. Not with --by.",
            HelpName = "KEY",
        };
    }

    /// <summary>The --by option.</summary>
    public Option<string?> By { get; }

    /// <summary>The --by-customer option.</summary>
    public Option<string?> ByCustomer { get; }

    /// <summary>Both options, to add to a command.</summary>
    public IEnumerable<Option> All => [By, ByCustomer];

    /// <summary>Adds an error to <paramref name="command"/> when both options are given.</summary>
    public void Validate(CommandResult command)
    {
        if (command.GetValue(By) is not null && command.GetValue(ByCustomer) is not null)
        {
            command.AddError("Give at most one of --by KEY and --by-customer KEY.");
        }
    }

    /// <summary>Returns the attribute named by --by or --by-customer, or null when neither is given.</summary>
    public AttributeRef? Read(ParseResult parseResult)
    {
        if (parseResult.GetValue(By) is { } responseKey)
        {
            return new AttributeRef { Key = responseKey, Scope = AttributeScope.Response };
        }

        if (parseResult.GetValue(ByCustomer) is { } customerKey)
        {
            return new AttributeRef { Key = customerKey, Scope = AttributeScope.Customer };
        }

        return null;
    }
}

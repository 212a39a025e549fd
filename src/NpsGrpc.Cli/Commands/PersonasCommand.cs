using System.CommandLine;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>
/// The 'nps personas' command: attribute values over- and under-represented among promoters and detractors, or with
/// --combinations the attribute-value combinations with the highest promoter (or detractor) rate.
/// </summary>
internal sealed class PersonasCommand
{
    private readonly InsightOptions _insight = new(
        "Print the GetPersonas (or FindPersonaCombinations) response as JSON (protobuf JSON mapping, unrounded).");

    private readonly Option<string[]> _attribute = new("--attribute")
    {
        Description = "Profile this response attribute; repeatable. Without --attribute and --customer-attribute " +
            "every attribute is profiled (required with --combinations).",
        HelpName = "KEY",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string[]> _customerAttribute = new("--customer-attribute")
    {
        Description = "Profile this customer attribute; repeatable.",
        HelpName = "KEY",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<int> _minSupport = new("--min-support")
    {
        Description = "Leave out values (or combinations) held by fewer than N responses (default: the server's, 30).",
        HelpName = "N",
    };

    private readonly Option<int> _minN = new("--min-n")
    {
        Description = "Profile a category only when it and the other responses each number at least N (default: " +
            "the server's, 30).",
        HelpName = "N",
    };

    private readonly Option<int> _top = new("--top")
    {
        Description = "Show the K values with the highest and the K with the lowest lift (with --combinations, the " +
            "K best combinations; default 10); 0 shows all.",
        HelpName = "K",
    };

    private readonly Option<bool> _combinations = new("--combinations")
    {
        Description = "Find the combinations of values of the listed attributes (one value each) with the highest " +
            "rate of --category, evaluating every combination.",
    };

    private readonly Option<int> _maxSize = new("--max-size")
    {
        Description = "With --combinations: the most attributes in one combination, 1 to 3.",
        HelpName = "N",
        DefaultValueFactory = _ => 2,
    };

    private readonly Option<string> _category = new("--category")
    {
        Description = "With --combinations: the category whose rate is maximised, promoter or detractor.",
        HelpName = "CATEGORY",
        DefaultValueFactory = _ => "promoter",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create() => new PersonasCommand().Build();

    private Command Build()
    {
        QueryOptions.AcceptOnly(_category, ["promoter", "detractor"]);
        _minSupport.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));
        _minN.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));
        _top.Validators.Add(result => CsvOptions.RequireAtLeast(result, 0));
        _maxSize.Validators.Add(result => CsvOptions.RequireAtLeast(result, 1));

        var command = new Command(
            "personas",
            "Show which attribute values are over- or under-represented among promoters and among detractors: " +
            "each value's share among the category and overall, the lift (their ratio), the NPS and n of responses " +
            "with the value, and a p-value with its Benjamini-Hochberg adjustment. With --combinations, show the " +
            "attribute-value combinations with the highest promoter (or detractor) rate instead.");
        Option[] options = [_attribute, _customerAttribute, _minSupport, _minN, _top, _combinations, _maxSize, _category];
        foreach (var option in _insight.All.Concat(options))
        {
            command.Options.Add(option);
        }

        CommandActions.Set(command, RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (start, end) = _insight.ReadRange(parseResult);
        var attributes = InsightOptions.ReadAttributes(parseResult, _attribute, _customerAttribute);
        var filters = _insight.Query.ReadFilters(parseResult);
        string[] cohorts = _insight.Query.ReadCohorts(parseResult);
        bool json = parseResult.GetValue(_insight.Query.Json);
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new InsightService.InsightServiceClient(channel);

        if (parseResult.GetValue(_combinations))
        {
            if (attributes.Count == 0)
            {
                throw new UsageException(
                    "--combinations needs the attributes to combine: give --attribute or --customer-attribute.");
            }

            var request = new FindPersonaCombinationsRequest
            {
                StartTime = start,
                EndTime = end,
                Filters = { filters },
                CohortFilters = { cohorts },
                Attributes = { attributes },
                MaxAttributeCount = parseResult.GetValue(_maxSize),
                MinSupport = parseResult.GetValue(_minSupport),
                Category = parseResult.GetRequiredValue(_category) == "detractor" ? NpsCategory.Detractor : NpsCategory.Promoter,
                TopK = parseResult.GetValue(_top),
            };
            _insight.Query.SetSurveys(parseResult, surveyId => request.SurveyId = surveyId, request.SurveyIds);
            var response = await client.FindPersonaCombinationsAsync(request, cancellationToken: cancellationToken);
            Write(json, response, () => PersonaTables.WriteCombinations(Consoles.CreateStdout(), response));
        }
        else
        {
            var request = new GetPersonasRequest
            {
                StartTime = start,
                EndTime = end,
                Filters = { filters },
                CohortFilters = { cohorts },
                Attributes = { attributes },
                MinSupport = parseResult.GetValue(_minSupport),
                MinSampleSize = parseResult.GetValue(_minN),
                TopK = parseResult.GetValue(_top),
            };
            _insight.Query.SetSurveys(parseResult, surveyId => request.SurveyId = surveyId, request.SurveyIds);
            var response = await client.GetPersonasAsync(request, cancellationToken: cancellationToken);
            Write(json, response, () => PersonaTables.WriteProfiles(Consoles.CreateStdout(), response));
        }

        return ExitCodes.Success;
    }

    private static void Write(bool json, Google.Protobuf.IMessage response, Action writeTable)
    {
        if (json)
        {
            JsonOutput.Write(response);
        }
        else
        {
            writeTable();
        }
    }
}

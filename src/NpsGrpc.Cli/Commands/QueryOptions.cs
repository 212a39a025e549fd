using System.CommandLine;
using Google.Protobuf.Collections;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.V1;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace NpsGrpc.Cli.Commands;

/// <summary>
/// Options shared by the query commands segments, trend and compare: surveys, filter conditions, time zone,
/// weighting and JSON output. Each command creates its own instance.
/// </summary>
internal sealed class QueryOptions
{
    /// <summary>Default confidence level of the intervals.</summary>
    public const double DefaultConfidence = 0.95;

    private const string WhereHelp =
        "KEY=VALUE equals, KEY!=VALUE differs or is missing, KEY=V1|V2 is one of the values, KEY!=V1|V2 is none " +
        "of them or is missing, KEY? is present, !KEY is missing. Only the first '=' separates the key, so values " +
        "may contain '=' and spaces; write \\| for a literal '|'. Quote conditions in the shell.";

    /// <summary>Creates the options with <paramref name="jsonDescription"/> as the help text of --json.</summary>
    public QueryOptions(string jsonDescription)
    {
        Json = new Option<bool>("--json") { Description = jsonDescription };
        Where = CreateWhereOption(
            "--where",
            "Count only responses whose response attribute meets the condition; repeatable, every condition must " +
            "hold. " + WhereHelp,
            AttributeScope.Response);
        WhereCustomer = CreateWhereOption(
            "--where-customer",
            "Like --where, for an attribute of the responding customer. A condition such as KEY=VALUE matches a " +
            "customer with several values when any value matches, and KEY!=VALUE when none does.",
            AttributeScope.Customer);
    }

    /// <summary>The repeatable, required --survey option.</summary>
    public Option<string[]> Surveys { get; } = new("--survey")
    {
        Description = "Id of a survey to query; repeat it to count several surveys together.",
        HelpName = "SURVEY_ID",
        Required = true,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The repeatable --where option: conditions on response attributes.</summary>
    public Option<string[]> Where { get; }

    /// <summary>The repeatable --where-customer option: conditions on customer attributes.</summary>
    public Option<string[]> WhereCustomer { get; }

    /// <summary>The repeatable --cohort option: named cohorts every counted response must be in.</summary>
    public Option<string[]> Cohorts { get; } = new("--cohort")
    {
        Description = "Count only responses in this named cohort (see 'nps cohorts'); repeatable, every cohort " +
            "must match, together with --where and --where-customer.",
        HelpName = "NAME",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The --tz option: the IANA time zone of dates without an offset and of calendar periods.</summary>
    public Option<string> TimeZone { get; } = new("--tz")
    {
        Description = "IANA time zone, such as Europe/Berlin, of dates and times without an offset (a bare date " +
            "is the start of that day) and of calendar periods.",
        HelpName = "IANA_ID",
        DefaultValueFactory = _ => "UTC",
    };

    /// <summary>The --weighted option.</summary>
    public Option<bool> Weighted { get; } = new("--weighted")
    {
        Description = "Weight every response by its weight (1 when it has none): shares, NPS and intervals use " +
            "weights and the effective sample size, while n stays a count of responses.",
    };

    /// <summary>The --json option.</summary>
    public Option<bool> Json { get; }

    /// <summary>Every option of this instance except --survey, which commands list first.</summary>
    public IEnumerable<Option> FilterAndOutputOptions => [Where, WhereCustomer, Cohorts, TimeZone, Weighted, Json];

    /// <summary>Creates a --confidence option that accepts a level strictly between 0 and 1.</summary>
    public static Option<double> CreateConfidenceOption()
    {
        var option = new Option<double>("--confidence")
        {
            Description = "Confidence level of the intervals, strictly between 0 and 1.",
            HelpName = "LEVEL",
            DefaultValueFactory = _ => DefaultConfidence,
        };
        option.Validators.Add(result =>
        {
            double level = result.GetValueOrDefault<double>();
            if (!(level > 0 && level < 1))
            {
                result.AddError($"--confidence is {level}; it must be strictly between 0 and 1, such as 0.95.");
            }
        });
        return option;
    }

    /// <summary>Returns the conditions of --where, then those of --where-customer.</summary>
    public IReadOnlyList<AttributeCondition> ReadFilters(ParseResult parseResult)
    {
        var response = ConditionParser.ParseAll(
            parseResult.GetValue(Where) ?? [], AttributeScope.Response, Where.Name);
        var customer = ConditionParser.ParseAll(
            parseResult.GetValue(WhereCustomer) ?? [], AttributeScope.Customer, WhereCustomer.Name);
        return [.. response, .. customer];
    }

    /// <summary>Returns the names of --cohort, in order.</summary>
    public string[] ReadCohorts(ParseResult parseResult) => parseResult.GetValue(Cohorts) ?? [];

    /// <summary>Creates a repeatable --by-cohort option whose help text starts with <paramref name="effect"/>.</summary>
    public static Option<string[]> CreateByCohortOption(string effect) => new("--by-cohort")
    {
        Description = $"{effect} this named cohort; repeatable, at most 20. A response may be in several cohorts.",
        HelpName = "NAME",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Finds the time zone of --tz, or throws <see cref="UsageException"/> when it is unknown.</summary>
    public TimeZoneInfo ReadTimeZone(ParseResult parseResult) =>
        InstantParser.FindTimeZone(parseResult.GetRequiredValue(TimeZone));

    /// <summary>
    /// Parses the ISO 8601 instant <paramref name="text"/> of <paramref name="optionName"/> in
    /// <paramref name="timeZone"/>, or returns null when the option is absent. Throws <see cref="UsageException"/>
    /// when the text is invalid.
    /// </summary>
    public static Timestamp? ParseInstant(string? text, string optionName, TimeZoneInfo timeZone)
    {
        if (text is null)
        {
            return null;
        }

        DateTime instant = new InstantParser(null, timeZone).TryParse(text, out string? error)
            ?? throw new UsageException($"{optionName} {error}.");
        return Timestamp.FromDateTime(instant);
    }

    /// <summary>
    /// Adds a validator that rejects values of <paramref name="option"/> other than <paramref name="allowed"/> with a
    /// message that names the option and lists the allowed values.
    /// </summary>
    public static void AcceptOnly(Option<string> option, IReadOnlyCollection<string> allowed)
    {
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && !allowed.Contains(value))
            {
                result.AddError($"{option.Name} '{value}' is invalid; use one of {string.Join(", ", allowed)}.");
            }
        });
    }

    /// <summary>
    /// Passes the first survey of --survey to <paramref name="setSurveyId"/> (a request's survey_id) and adds the
    /// others to <paramref name="surveyIds"/> (its survey_ids).
    /// </summary>
    public void SetSurveys(ParseResult parseResult, Action<string> setSurveyId, RepeatedField<string> surveyIds)
    {
        string[] surveys = parseResult.GetRequiredValue(Surveys);
        setSurveyId(surveys[0]);
        surveyIds.AddRange(surveys[1..]);
    }

    private static Option<string[]> CreateWhereOption(string name, string description, AttributeScope scope)
    {
        var option = new Option<string[]>(name)
        {
            Description = description,
            HelpName = "CONDITION",
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (string text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (ConditionParser.TryParse(text, scope, out string? error) is null)
                {
                    result.AddError($"{name}: {error}");
                }
            }
        });
        return option;
    }
}

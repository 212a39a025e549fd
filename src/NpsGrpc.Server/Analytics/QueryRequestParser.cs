using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;
using DomainIntervalMethod = NpsGrpc.Domain.Scoring.IntervalMethod;

namespace NpsGrpc.Server.Analytics;

/// <summary>Reads and validates the parts that every query request shares, throwing INVALID_ARGUMENT or NOT_FOUND.</summary>
public sealed class QueryRequestParser(SurveyDirectory surveys)
{
    /// <summary>Maximum surveys per query.</summary>
    public const int MaxSurveys = 100;

    /// <summary>Maximum filter conditions per query.</summary>
    public const int MaxFilters = 20;

    /// <summary>Maximum values of an IN or NOT_IN condition.</summary>
    public const int MaxFilterValues = 1000;

    /// <summary>Longest filter value, in characters; longer values could never match a stored attribute value.</summary>
    public const int MaxFilterValueLength = 1024;

    /// <summary>Earliest instant a query may name. Responses start in 1990, so earlier bounds change nothing.</summary>
    public static readonly DateTime EarliestQueryInstant = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Latest instant a query may name, far beyond any stored response.</summary>
    public static readonly DateTime LatestQueryInstant = new(3000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private const double DefaultConfidenceLevel = 0.95;
    private const int DefaultMinSampleSize = 30;

    /// <summary>Returns the distinct surveys named by survey_id and survey_ids, after checking that each exists.</summary>
    public async Task<IReadOnlyList<string>> ReadSurveysAsync(
        string surveyId, RepeatedField<string> surveyIds, CancellationToken cancellationToken)
    {
        var all = new List<string>();
        if (surveyId.Length > 0)
        {
            all.Add(surveyId);
        }

        all.AddRange(surveyIds);
        all = all.Distinct(StringComparer.Ordinal).ToList();
        if (all.Count == 0)
        {
            throw RpcErrors.InvalidArgument("survey_id", "survey_id is required (or name the surveys in survey_ids)");
        }

        if (all.Count > MaxSurveys)
        {
            throw RpcErrors.InvalidArgument("survey_ids", $"{all.Count} surveys were named; the maximum is {MaxSurveys}");
        }

        foreach (string id in all)
        {
            await surveys.EnsureExistsAsync(id, cancellationToken);
        }

        return all;
    }

    /// <summary>Reads the interval level and method, the minimum n and the weighting.</summary>
    public static StatisticsOptions ReadOptions(double confidenceLevel, V1.IntervalMethod method, int minSampleSize, bool weighted)
    {
        double level = confidenceLevel == 0 ? DefaultConfidenceLevel : confidenceLevel;
        if (!(level > 0 && level < 1))
        {
            throw RpcErrors.InvalidArgument(
                "confidence_level", $"confidence_level {confidenceLevel} is invalid; it must be strictly between 0 and 1");
        }

        if (minSampleSize < 0)
        {
            throw RpcErrors.InvalidArgument("min_sample_size", $"min_sample_size {minSampleSize} is negative");
        }

        var domainMethod = method == V1.IntervalMethod.Wald ? DomainIntervalMethod.Wald : DomainIntervalMethod.AdjustedWald;
        return new StatisticsOptions(level, domainMethod, minSampleSize == 0 ? DefaultMinSampleSize : minSampleSize, weighted);
    }

    /// <summary>Converts a timestamp, or returns null when it is unset.</summary>
    public static DateTime? ReadInstant(Timestamp? value, string field)
    {
        // The range of google.protobuf.Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
        const long MinSeconds = -62_135_596_800, MaxSeconds = 253_402_300_799;
        if (value is null)
        {
            return null;
        }

        if (value.Seconds is < MinSeconds or > MaxSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            throw RpcErrors.InvalidArgument(
                field, $"{field} (seconds {value.Seconds}, nanos {value.Nanos}) is not a valid google.protobuf.Timestamp");
        }

        var instant = value.ToDateTime();
        if (instant < EarliestQueryInstant || instant > LatestQueryInstant)
        {
            throw RpcErrors.InvalidArgument(
                field, $"{field} {Format(instant)} is outside the range queries accept, {Format(EarliestQueryInstant)} to {Format(LatestQueryInstant)}");
        }

        return instant;
    }

    /// <summary>Reads a required, non-empty half-open range.</summary>
    public static (DateTime Start, DateTime End) ReadRequiredRange(Timestamp? start, Timestamp? end, string prefix)
    {
        var from = ReadInstant(start, prefix + "start_time")
            ?? throw RpcErrors.InvalidArgument(prefix + "start_time", $"{prefix}start_time is required");
        var to = ReadInstant(end, prefix + "end_time")
            ?? throw RpcErrors.InvalidArgument(prefix + "end_time", $"{prefix}end_time is required");
        if (to <= from)
        {
            throw RpcErrors.InvalidArgument(prefix + "end_time", $"{prefix}end_time {Format(to)} must be after {prefix}start_time {Format(from)}");
        }

        return (from, to);
    }

    /// <summary>Reads an attribute reference.</summary>
    public static GroupingAttribute ReadAttribute(AttributeRef attribute, string field)
    {
        CheckKey(attribute.Key, field + ".key");
        return new GroupingAttribute(attribute.Key, ReadScope(attribute.Scope, field + ".scope"));
    }

    /// <summary>
    /// Reads filter conditions; EQUALS and NOT_EQUALS become one-value IN and NOT_IN. Errors name the conditions
    /// <paramref name="listField"/>[i], so the same checks serve a request's filters and a cohort's conditions.
    /// </summary>
    public static IReadOnlyList<AttributeFilter> ReadFilters(
        IReadOnlyList<AttributeCondition> conditions, string listField = "filters")
    {
        if (conditions.Count > MaxFilters)
        {
            throw RpcErrors.InvalidArgument(listField, $"{listField} has {conditions.Count} conditions; the maximum is {MaxFilters}");
        }

        var filters = new List<AttributeFilter>(conditions.Count);
        for (int i = 0; i < conditions.Count; i++)
        {
            var condition = conditions[i];
            string field = $"{listField}[{i}]";
            CheckKey(condition.Key, field + ".key");
            var source = ReadScope(condition.Scope, field + ".scope");
            (FilterOperator op, int minValues, int maxValues) = condition.Operator switch
            {
                ConditionOperator.Equals => (FilterOperator.In, 1, 1),
                ConditionOperator.NotEquals => (FilterOperator.NotIn, 1, 1),
                ConditionOperator.In => (FilterOperator.In, 1, MaxFilterValues),
                ConditionOperator.NotIn => (FilterOperator.NotIn, 1, MaxFilterValues),
                ConditionOperator.Present => (FilterOperator.Present, 0, 0),
                ConditionOperator.Missing => (FilterOperator.Missing, 0, 0),
                _ => throw RpcErrors.InvalidArgument(field + ".operator", $"{field}.operator is required"),
            };

            if (condition.Values.Count < minValues || condition.Values.Count > maxValues)
            {
                string expected = minValues == maxValues ? $"exactly {minValues}" : $"{minValues} to {maxValues}";
                throw RpcErrors.InvalidArgument(
                    field + ".values", $"{field} with operator {condition.Operator} has {condition.Values.Count} values; it takes {expected}");
            }

            for (int v = 0; v < condition.Values.Count; v++)
            {
                if (Identifiers.CheckText(condition.Values[v], MaxFilterValueLength) is { } problem)
                {
                    throw RpcErrors.InvalidArgument($"{field}.values[{v}]", $"{field}.values[{v}] {problem}");
                }
            }

            filters.Add(new AttributeFilter(condition.Key, source, op, condition.Values.ToArray()));
        }

        return filters;
    }

    /// <summary>Formats an instant for messages: ISO 8601 in UTC without trailing zero fractions.</summary>
    public static string Format(DateTime? instant) =>
        instant?.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "(unset)";

    private static void CheckKey(string key, string field)
    {
        if (!Identifiers.IsAttributeKey(key))
        {
            throw RpcErrors.InvalidArgument(
                field, $"{field} '{Identifiers.Shorten(key)}' is not a valid attribute key; a key is a letter followed by " +
                       $"letters, digits or underscores, at most {Identifiers.MaxAttributeKeyLength} characters");
        }
    }

    private static AttributeSource ReadScope(AttributeScope scope, string field) => scope switch
    {
        AttributeScope.Response => AttributeSource.Response,
        AttributeScope.Customer => AttributeSource.Customer,
        _ => throw RpcErrors.InvalidArgument(field, $"{field} is required: ATTRIBUTE_SCOPE_RESPONSE or ATTRIBUTE_SCOPE_CUSTOMER"),
    };
}

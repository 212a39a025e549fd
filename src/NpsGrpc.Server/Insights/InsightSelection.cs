using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Insights;

/// <summary>
/// Reads the surveys, range, filters and cohort filters that every insight request shares into one ungrouped count
/// query. Each cohort's stored conditions join the filters, so a cohort narrows the selection exactly as its
/// conditions given as filters would.
/// </summary>
public static class InsightSelection
{
    /// <summary>
    /// Validates the fields and returns the selection, throwing INVALID_ARGUMENT for an invalid field and NOT_FOUND for
    /// an unknown survey or cohort. Surveys and cohorts are read last, so a malformed request fails without a database
    /// round trip.
    /// </summary>
    public static async Task<CountQuery> ReadAsync(
        QueryRequestParser parser,
        CohortResolver cohorts,
        string surveyId,
        RepeatedField<string> surveyIds,
        Timestamp? start,
        Timestamp? end,
        RepeatedField<AttributeCondition> conditions,
        RepeatedField<string> cohortNames,
        CancellationToken cancellationToken)
    {
        DateTime? from = QueryRequestParser.ReadInstant(start, "start_time");
        DateTime? to = QueryRequestParser.ReadInstant(end, "end_time");
        if (from is not null && to is not null && to <= from)
        {
            throw RpcErrors.InvalidArgument(
                "end_time",
                $"end_time {QueryRequestParser.Format(to)} must be after start_time {QueryRequestParser.Format(from)}");
        }

        var filters = QueryRequestParser.ReadFilters(conditions);
        CohortResolver.CheckNames(cohortNames, "cohort_filters");
        var surveys = await parser.ReadSurveysAsync(surveyId, surveyIds, cancellationToken);
        filters = await cohorts.AddFiltersAsync(filters, cohortNames, "cohort_filters", cancellationToken);
        return new CountQuery(surveys, from, to, filters, [], null, false);
    }

    /// <summary>Reads an optional non-negative count, returning <paramref name="defaultValue"/> for 0.</summary>
    public static int ReadCount(int value, string field, int defaultValue, int maxValue)
    {
        if (value < 0 || value > maxValue)
        {
            throw RpcErrors.InvalidArgument(
                field, $"{field} {value} is invalid; use 0 for the default ({defaultValue}) or 1 to {maxValue}");
        }

        return value == 0 ? defaultValue : value;
    }
}

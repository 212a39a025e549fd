using System.Globalization;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Services;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Analytics;

/// <summary>Segmented NPS: overall figures and, per group, figures and the difference from overall.</summary>
public sealed class SegmentQuery(QueryRequestParser parser, ResponseCounter counter, CohortResolver cohorts)
{
    /// <summary>Maximum grouping attributes.</summary>
    public const int MaxGroupBy = 3;

    /// <summary>Maximum groups per page.</summary>
    public const int MaxPageSize = 1000;

    private sealed record Group(CountRow Row, NpsEstimate Estimate, NpsGroup Message);

    /// <summary>Runs a GetNps request.</summary>
    public async Task<GetNpsResponse> RunAsync(GetNpsRequest request, CancellationToken cancellationToken)
    {
        DateTime? from = QueryRequestParser.ReadInstant(request.StartTime, "start_time");
        DateTime? to = QueryRequestParser.ReadInstant(request.EndTime, "end_time");
        if (from is not null && to is not null && to <= from)
        {
            throw RpcErrors.InvalidArgument("end_time", $"end_time {QueryRequestParser.Format(to)} must be after start_time {QueryRequestParser.Format(from)}");
        }

        var options = QueryRequestParser.ReadOptions(
            request.ConfidenceLevel, request.IntervalMethod, request.MinSampleSize, request.Weighted);
        if (request.GroupBy.Count > MaxGroupBy)
        {
            throw RpcErrors.InvalidArgument("group_by", $"group_by has {request.GroupBy.Count} entries; the maximum is {MaxGroupBy}");
        }

        var groupBy = request.GroupBy.Select((g, i) => QueryRequestParser.ReadAttribute(g, $"group_by[{i}]")).ToList();
        var filters = QueryRequestParser.ReadFilters(request.Filters);
        (int offset, int pageSize) = ReadPaging(request);
        CohortResolver.CheckNames(request.CohortFilters, "cohort_filters");
        CohortResolver.CheckNames(request.GroupByCohorts, "group_by_cohorts");
        var surveys = await parser.ReadSurveysAsync(request.SurveyId, request.SurveyIds, cancellationToken);
        filters = await cohorts.AddFiltersAsync(filters, request.CohortFilters, "cohort_filters", cancellationToken);
        var groupCohorts = await cohorts.ResolveAsync(request.GroupByCohorts, "group_by_cohorts", cancellationToken);

        // Query 0 is the overall count. Then come the grouped counts: one over every response, or one per cohort,
        // restricted to the cohort by its conditions.
        var queries = new List<CountQuery> { new(surveys, from, to, filters, [], null, options.Weighted) };
        if (groupCohorts.Count > 0)
        {
            queries.AddRange(groupCohorts.Select(c =>
                new CountQuery(surveys, from, to, [.. filters, .. c.Filters], groupBy, null, options.Weighted)));
        }
        else if (groupBy.Count > 0)
        {
            queries.Add(new CountQuery(surveys, from, to, filters, groupBy, null, options.Weighted));
        }

        var results = await counter.CountAsync(queries, cancellationToken);
        var overallRow = results[0].SingleOrDefault();
        var overallCounts = overallRow?.Counts ?? default;
        var overallWeights = overallRow?.Weights ?? default;
        var overall = StatisticsBuilder.Estimate(overallCounts, overallWeights, options);

        var response = new GetNpsResponse { Overall = StatisticsBuilder.ToMessage(overall, overallWeights, options) };
        if (queries.Count == 1)
        {
            return response;
        }

        var groups = new List<Group>();
        for (int i = 1; i < queries.Count; i++)
        {
            string cohort = groupCohorts.Count > 0 ? groupCohorts[i - 1].Name : string.Empty;
            groups.AddRange(results[i].Select(row =>
                BuildGroup(row, request, cohort, overallCounts, overallWeights, overall, options)));
        }

        var comparisons = groups.Select(g => g.Message.DifferenceFromOverall).Where(c => c is not null).ToList();
        StatisticsBuilder.AdjustForFalseDiscoveryRate(comparisons);

        var ordered = Order(groups, request.OrderBy).ToList();
        if (request.TopK > 0)
        {
            ordered = ordered.Take(request.TopK).ToList();
        }

        response.TotalGroupCount = ordered.Count;
        var page = pageSize == 0 ? ordered.Skip(offset) : ordered.Skip(offset).Take(pageSize);
        response.Groups.AddRange(page.Select(g => g.Message));
        if (pageSize > 0 && offset + pageSize < ordered.Count)
        {
            response.NextPageToken = PageToken.Encode((offset + pageSize).ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    private static (int Offset, int PageSize) ReadPaging(GetNpsRequest request)
    {
        if (request.TopK < 0)
        {
            throw RpcErrors.InvalidArgument("top_k", $"top_k {request.TopK} is negative");
        }

        if (request.PageSize is < 0 or > MaxPageSize)
        {
            throw RpcErrors.InvalidArgument("page_size", $"page_size {request.PageSize} is invalid; use 0 for all groups or 1 to {MaxPageSize}");
        }

        int offset = 0;
        if (PageToken.Decode(request.PageToken) is { } token
            && !(int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out offset) && offset >= 0))
        {
            throw RpcErrors.InvalidArgument("page_token", "page_token is not a token returned by GetNps; pass next_page_token unchanged");
        }

        return (offset, request.PageSize);
    }

    private static Group BuildGroup(
        CountRow row,
        GetNpsRequest request,
        string cohort,
        NpsCounts overallCounts,
        WeightedNpsCounts overallWeights,
        NpsEstimate overall,
        StatisticsOptions options)
    {
        var estimate = StatisticsBuilder.Estimate(row.Counts, row.Weights, options);
        var message = new NpsGroup { Statistics = StatisticsBuilder.ToMessage(estimate, row.Weights, options), Cohort = cohort };
        for (int i = 0; i < row.GroupValues.Count; i++)
        {
            var key = new GroupKey { Key = request.GroupBy[i].Key, Scope = request.GroupBy[i].Scope };
            if (row.GroupValues[i] is { } value)
            {
                key.Value = value;
            }

            message.Keys.Add(key);
        }

        // Every response of a group is also in the overall population exactly once, so the rest of the population
        // is the overall counts minus the group's, and it is independent of the group.
        var restCounts = new NpsCounts(
            Math.Max(0, overallCounts.Promoters - row.Counts.Promoters),
            Math.Max(0, overallCounts.Passives - row.Counts.Passives),
            Math.Max(0, overallCounts.Detractors - row.Counts.Detractors));
        var restWeights = new WeightedNpsCounts(
            Math.Max(0, overallWeights.PromoterWeight - row.Weights.PromoterWeight),
            Math.Max(0, overallWeights.PassiveWeight - row.Weights.PassiveWeight),
            Math.Max(0, overallWeights.DetractorWeight - row.Weights.DetractorWeight),
            Math.Max(0, overallWeights.SumOfSquaredWeights - row.Weights.SumOfSquaredWeights)).KeepingOnly(restCounts);
        var rest = StatisticsBuilder.Estimate(restCounts, restWeights, options);

        if (StatisticsBuilder.Difference(estimate, rest) is { } versusRest && overall.Nps is { } overallNps)
        {
            // overall = w x group + (1 - w) x rest with w the group's share, so group - overall = (1 - w) x (group - rest):
            // the same test, with the standard error scaled by (1 - w).
            double share = options.Weighted
                ? row.Weights.TotalWeight / overallWeights.TotalWeight
                : (double)row.Counts.N / overallCounts.N;
            versusRest.Difference = estimate.Nps!.Value - overallNps;
            versusRest.StandardError *= 1 - share;
            message.DifferenceFromOverall = versusRest;
        }

        return new Group(row, estimate, message);
    }

    private static IEnumerable<Group> Order(List<Group> groups, GroupOrder order) => order switch
    {
        GroupOrder.ResponseCountDesc => groups.OrderByDescending(g => g.Row.Counts.N),
        GroupOrder.NpsDesc => groups.OrderBy(g => g.Estimate.Nps is null).ThenByDescending(g => g.Estimate.Nps),
        GroupOrder.NpsAsc => groups.OrderBy(g => g.Estimate.Nps is null).ThenBy(g => g.Estimate.Nps),
        GroupOrder.PValueAsc => groups
            .OrderBy(g => g.Message.DifferenceFromOverall is null)
            .ThenBy(g => g.Message.DifferenceFromOverall?.PValue),
        _ => groups,
    };
}

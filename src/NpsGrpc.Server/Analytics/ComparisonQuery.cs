using NpsGrpc.Domain.Scoring;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Analytics;

/// <summary>Period-over-period comparison with a mix and within split of the change.</summary>
public sealed class ComparisonQuery(QueryRequestParser parser, ResponseCounter counter, CohortResolver cohorts)
{
    private sealed record Side(NpsCounts Counts, WeightedNpsCounts Weights, NpsEstimate Estimate);

    /// <summary>Runs a CompareNps request.</summary>
    public async Task<CompareNpsResponse> RunAsync(CompareNpsRequest request, CancellationToken cancellationToken)
    {
        var currentRange = request.Current ?? throw RpcErrors.InvalidArgument("current", "current is required");
        var baselineRange = request.Baseline ?? throw RpcErrors.InvalidArgument("baseline", "baseline is required");
        var current = QueryRequestParser.ReadRequiredRange(currentRange.StartTime, currentRange.EndTime, "current.");
        var baseline = QueryRequestParser.ReadRequiredRange(baselineRange.StartTime, baselineRange.EndTime, "baseline.");
        var options = QueryRequestParser.ReadOptions(
            request.ConfidenceLevel, request.IntervalMethod, request.MinSampleSize, request.Weighted);
        var filters = QueryRequestParser.ReadFilters(request.Filters);
        var decomposeBy = request.DecomposeBy is null ? null : QueryRequestParser.ReadAttribute(request.DecomposeBy, "decompose_by");
        CohortResolver.CheckNames(request.CohortFilters, "cohort_filters");
        CohortResolver.CheckNames(request.CompareCohorts, "compare_cohorts");
        var surveys = await parser.ReadSurveysAsync(request.SurveyId, request.SurveyIds, cancellationToken);
        filters = await cohorts.AddFiltersAsync(filters, request.CohortFilters, "cohort_filters", cancellationToken);
        var comparedCohorts = await cohorts.ResolveAsync(request.CompareCohorts, "compare_cohorts", cancellationToken);

        var queries = new List<CountQuery>
        {
            new(surveys, current.Start, current.End, filters, [], null, options.Weighted),
            new(surveys, baseline.Start, baseline.End, filters, [], null, options.Weighted),
        };
        if (decomposeBy is not null)
        {
            queries.Add(new CountQuery(surveys, current.Start, current.End, filters, [decomposeBy], null, options.Weighted));
            queries.Add(new CountQuery(surveys, baseline.Start, baseline.End, filters, [decomposeBy], null, options.Weighted));
        }

        // Each compared cohort adds its current and baseline counts after the queries above.
        int firstCohortQuery = queries.Count;
        foreach (var cohort in comparedCohorts)
        {
            IReadOnlyList<AttributeFilter> cohortFilters = [.. filters, .. cohort.Filters];
            queries.Add(new CountQuery(surveys, current.Start, current.End, cohortFilters, [], null, options.Weighted));
            queries.Add(new CountQuery(surveys, baseline.Start, baseline.End, cohortFilters, [], null, options.Weighted));
        }

        var results = await counter.CountAsync(queries, cancellationToken);
        var currentSide = ToSide(results[0].SingleOrDefault(), options);
        var baselineSide = ToSide(results[1].SingleOrDefault(), options);

        var response = new CompareNpsResponse
        {
            Current = StatisticsBuilder.ToMessage(currentSide.Estimate, currentSide.Weights, options),
            Baseline = StatisticsBuilder.ToMessage(baselineSide.Estimate, baselineSide.Weights, options),
            Change = StatisticsBuilder.Difference(currentSide.Estimate, baselineSide.Estimate),
        };

        if (decomposeBy is not null && currentSide.Estimate.Nps is { } currentNps && baselineSide.Estimate.Nps is { } baselineNps)
        {
            response.Decomposition = Decompose(
                request.DecomposeBy!, results[2], results[3], currentSide, baselineSide, currentNps - baselineNps, options);
        }

        var changes = new List<NpsChange>();
        for (int i = 0; i < comparedCohorts.Count; i++)
        {
            var cohortCurrent = ToSide(results[firstCohortQuery + 2 * i].SingleOrDefault(), options);
            var cohortBaseline = ToSide(results[firstCohortQuery + 2 * i + 1].SingleOrDefault(), options);
            var comparison = new CohortComparison
            {
                Cohort = comparedCohorts[i].Name,
                Current = StatisticsBuilder.ToMessage(cohortCurrent.Estimate, cohortCurrent.Weights, options),
                Baseline = StatisticsBuilder.ToMessage(cohortBaseline.Estimate, cohortBaseline.Weights, options),
                Change = StatisticsBuilder.Difference(cohortCurrent.Estimate, cohortBaseline.Estimate),
            };
            if (comparison.Change is not null)
            {
                changes.Add(comparison.Change);
            }

            response.Cohorts.Add(comparison);
        }

        StatisticsBuilder.AdjustForFalseDiscoveryRate(changes);
        return response;
    }

    private static Side ToSide(CountRow? row, StatisticsOptions options)
    {
        var counts = row?.Counts ?? default;
        var weights = row?.Weights ?? default;
        return new Side(counts, weights, StatisticsBuilder.Estimate(counts, weights, options));
    }

    private static ChangeDecomposition Decompose(
        AttributeRef attribute,
        IReadOnlyList<CountRow> currentRows,
        IReadOnlyList<CountRow> baselineRows,
        Side current,
        Side baseline,
        double change,
        StatisticsOptions options)
    {
        var decomposition = new ChangeDecomposition { Attribute = attribute };
        var currentByValue = currentRows.ToDictionary(r => r.GroupValues[0] ?? string.Empty, r => ToSide(r, options));
        var baselineByValue = baselineRows.ToDictionary(r => r.GroupValues[0] ?? string.Empty, r => ToSide(r, options));
        var values = currentRows.Concat(baselineRows).Select(r => r.GroupValues[0]).Distinct()
            .OrderBy(v => v is null).ThenBy(v => v, StringComparer.Ordinal);

        foreach (string? value in values)
        {
            // Attribute values are never empty strings, so the empty string can stand for "missing" in the lookups.
            var now = currentByValue.GetValueOrDefault(value ?? string.Empty) ?? ToSide(null, options);
            var before = baselineByValue.GetValueOrDefault(value ?? string.Empty) ?? ToSide(null, options);
            double currentShare = Share(now, current, options);
            double baselineShare = Share(before, baseline, options);
            double? currentNps = now.Estimate.Nps;
            double? baselineNps = before.Estimate.Nps;

            double mix = (currentShare - baselineShare) * (baselineNps ?? currentNps ?? 0);
            double within = currentNps is { } a && baselineNps is { } b ? currentShare * (a - b) : 0;

            var key = new GroupKey { Key = attribute.Key, Scope = attribute.Scope };
            if (value is not null)
            {
                key.Value = value;
            }

            decomposition.Segments.Add(new SegmentContribution
            {
                Key = key,
                Current = StatisticsBuilder.ToMessage(now.Estimate, now.Weights, options),
                Baseline = StatisticsBuilder.ToMessage(before.Estimate, before.Weights, options),
                CurrentShare = currentShare,
                BaselineShare = baselineShare,
                MixEffect = mix,
                WithinEffect = within,
            });
            decomposition.MixEffect += mix;
            decomposition.WithinEffect += within;
        }

        decomposition.Residual = change - decomposition.MixEffect - decomposition.WithinEffect;
        return decomposition;
    }

    private static double Share(Side segment, Side total, StatisticsOptions options) => options.Weighted
        ? segment.Weights.TotalWeight / total.Weights.TotalWeight
        : (double)segment.Counts.N / total.Counts.N;
}

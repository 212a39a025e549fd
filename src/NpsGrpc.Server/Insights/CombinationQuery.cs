using NpsGrpc.Domain.Insights;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Insights;

/// <summary>
/// The attribute-value combinations with the highest rate of a category. The search is exhaustive: every subset of
/// 1 to max_attribute_count of the listed attributes is grouped by (at most 8 + 28 + 56 = 92 grouped counts for 8
/// attributes and 3 per combination), so the best combination with enough support is always found.
/// </summary>
public sealed class CombinationQuery(QueryRequestParser parser, CohortResolver cohorts, ResponseCounter counter)
{
    /// <summary>Maximum attributes to combine.</summary>
    public const int MaxAttributes = 8;

    /// <summary>Maximum attributes in one combination; the grouped counts take at most three attributes.</summary>
    public const int MaxCombinationSize = SegmentQuery.MaxGroupBy;

    /// <summary>Largest top_k.</summary>
    public const int MaxTopK = 100;

    private sealed record Candidate(PersonaCombination Message, int Size, string SortKey);

    /// <summary>Runs a FindPersonaCombinations request.</summary>
    public async Task<FindPersonaCombinationsResponse> RunAsync(
        FindPersonaCombinationsRequest request, CancellationToken cancellationToken)
    {
        if (request.Attributes.Count is 0 or > MaxAttributes)
        {
            throw RpcErrors.InvalidArgument(
                "attributes",
                $"attributes has {request.Attributes.Count} entries; name 1 to {MaxAttributes} attributes to combine");
        }

        var attributes = request.Attributes.Select((a, i) => QueryRequestParser.ReadAttribute(a, $"attributes[{i}]")).ToList();
        if (attributes.Distinct().Count() != attributes.Count)
        {
            throw RpcErrors.InvalidArgument("attributes", "attributes names the same attribute more than once; list each once");
        }

        int maxSize = InsightSelection.ReadCount(request.MaxAttributeCount, "max_attribute_count", 2, MaxCombinationSize);
        int minSupport = InsightSelection.ReadCount(request.MinSupport, "min_support", 30, PersonaQuery.MaxThreshold);
        int topK = InsightSelection.ReadCount(request.TopK, "top_k", 10, MaxTopK);
        var category = request.Category switch
        {
            NpsCategory.Unspecified or NpsCategory.Promoter => ScoreCategory.Promoter,
            NpsCategory.Detractor => ScoreCategory.Detractor,
            _ => throw RpcErrors.InvalidArgument(
                "category", $"category {ProtoNames.Of(request.Category)} is not supported; use NPS_CATEGORY_PROMOTER or NPS_CATEGORY_DETRACTOR"),
        };
        var selection = await InsightSelection.ReadAsync(
            parser,
            cohorts,
            request.SurveyId,
            request.SurveyIds,
            request.StartTime,
            request.EndTime,
            request.Filters,
            request.CohortFilters,
            cancellationToken);

        var subsets = Subsets(attributes.Count, maxSize);
        var queries = new List<CountQuery> { selection };
        queries.AddRange(subsets.Select(s => selection with { GroupBy = s.Select(i => attributes[i]).ToList() }));
        var results = await counter.CountAsync(queries, cancellationToken);

        var overall = results[0].SingleOrDefault()?.Counts ?? default;
        var options = QueryRequestParser.ReadOptions(0, V1.IntervalMethod.Unspecified, 0, false);
        var response = new FindPersonaCombinationsResponse
        {
            Overall = StatisticsBuilder.Build(overall, default, options),
            Category = InsightMessages.ToMessage(category),
        };

        long inCategory = PersonaQuery.CategoryCount(overall, category);
        var candidates = new List<Candidate>();
        for (int s = 0; s < subsets.Count; s++)
        {
            foreach (var row in results[s + 1])
            {
                // A persona is made of values that are present; the group of responses without a value is skipped.
                if (row.GroupValues.Any(v => v is null))
                {
                    continue;
                }

                if (row.Counts.N < minSupport)
                {
                    response.BelowSupportCount++;
                    continue;
                }

                var combined = subsets[s].Select(i => attributes[i]).ToList();
                candidates.Add(BuildCandidate(row, combined, category, inCategory, overall.N));
            }
        }

        response.EvaluatedCount = candidates.Count;
        var tested = candidates.Select(c => c.Message).Where(m => m.HasPValue).ToList();
        double[] adjusted = FalseDiscoveryRate.BenjaminiHochberg(tested.Select(m => m.PValue).ToArray());
        for (int i = 0; i < tested.Count; i++)
        {
            tested[i].AdjustedPValue = adjusted[i];
        }

        response.Combinations.AddRange(candidates
            .OrderByDescending(c => c.Message.CategoryRate)
            .ThenByDescending(c => c.Message.ResponseCount)
            .ThenBy(c => c.Size)
            .ThenBy(c => c.SortKey, StringComparer.Ordinal)
            .Take(topK)
            .Select(c => c.Message));
        return response;
    }

    private static Candidate BuildCandidate(
        CountRow row, List<GroupingAttribute> attributes, ScoreCategory category, long inCategory, long total)
    {
        long holdersInCategory = PersonaQuery.CategoryCount(row.Counts, category);
        double rate = (double)holdersInCategory / row.Counts.N;
        double overallRate = (double)inCategory / total;
        var message = new PersonaCombination
        {
            ResponseCount = row.Counts.N,
            CategoryCount = holdersInCategory,
            CategoryRate = rate,
            Lift = overallRate > 0 ? rate / overallRate : 0,
            Nps = row.Counts.Nps!.Value,
        };
        for (int i = 0; i < attributes.Count; i++)
        {
            message.Values.Add(InsightMessages.ToMessage(attributes[i].Source, attributes[i].Key, row.GroupValues[i]!));
        }

        if (ProportionTest.Compute(holdersInCategory, row.Counts.N, inCategory, total) is { } test)
        {
            message.PValue = test.PValue;
            message.Test = InsightMessages.ToMessage(test.Method);
        }

        string sortKey = string.Join("\u0001", message.Values.Select(v => $"{v.Key}\u0002{v.Value}"));
        return new Candidate(message, attributes.Count, sortKey);
    }

    /// <summary>Returns every subset of 0..count-1 with 1 to maxSize elements, each in ascending order.</summary>
    private static List<int[]> Subsets(int count, int maxSize)
    {
        var subsets = new List<int[]>();
        void Extend(List<int> chosen, int next)
        {
            if (chosen.Count > 0)
            {
                subsets.Add(chosen.ToArray());
            }

            if (chosen.Count == maxSize)
            {
                return;
            }

            for (int i = next; i < count; i++)
            {
                chosen.Add(i);
                Extend(chosen, i + 1);
                chosen.RemoveAt(chosen.Count - 1);
            }
        }

        Extend([], 0);
        return subsets;
    }
}

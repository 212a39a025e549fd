using NpsGrpc.Domain.Insights;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Insights;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Insights;

/// <summary>Persona profiles: attribute values over- and under-represented among promoters and among detractors.</summary>
public sealed class PersonaQuery(QueryRequestParser parser, CohortResolver cohorts, AttributeValueCounter counter)
{
    /// <summary>Maximum attributes a request may name.</summary>
    public const int MaxAttributes = 20;

    /// <summary>Largest min_support and min_sample_size.</summary>
    public const int MaxThreshold = 1_000_000;

    /// <summary>Largest top_k.</summary>
    public const int MaxTopK = 1000;

    private const int DefaultThreshold = 30;

    /// <summary>Runs a GetPersonas request.</summary>
    public async Task<GetPersonasResponse> RunAsync(GetPersonasRequest request, CancellationToken cancellationToken)
    {
        if (request.Attributes.Count > MaxAttributes)
        {
            throw RpcErrors.InvalidArgument(
                "attributes", $"attributes has {request.Attributes.Count} entries; the maximum is {MaxAttributes}");
        }

        var attributes = request.Attributes.Select((a, i) => QueryRequestParser.ReadAttribute(a, $"attributes[{i}]")).ToList();
        int minSupport = InsightSelection.ReadCount(request.MinSupport, "min_support", DefaultThreshold, MaxThreshold);
        int minSample = InsightSelection.ReadCount(request.MinSampleSize, "min_sample_size", DefaultThreshold, MaxThreshold);
        int topK = InsightSelection.ReadCount(request.TopK, "top_k", 0, MaxTopK);
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

        // No attributes named means every key found.
        var profiled = attributes.Count == 0 ? null : attributes.Distinct().ToList();
        var counts = await counter.CountAsync(selection, profiled, cancellationToken);
        var options = QueryRequestParser.ReadOptions(0, V1.IntervalMethod.Unspecified, minSample, false);
        return new GetPersonasResponse
        {
            Overall = StatisticsBuilder.Build(counts.Overall, default, options),
            Promoters = Profile(counts, ScoreCategory.Promoter, minSupport, minSample, topK),
            Detractors = Profile(counts, ScoreCategory.Detractor, minSupport, minSample, topK),
        };
    }

    private static PersonaProfile Profile(
        AttributeValueCounts counts, ScoreCategory category, int minSupport, int minSample, int topK)
    {
        long total = counts.Overall.N;
        long inCategory = CategoryCount(counts.Overall, category);
        var profile = new PersonaProfile { Category = InsightMessages.ToMessage(category), CategoryCount = inCategory };
        string name = category == ScoreCategory.Promoter ? "promoters" : "detractors";
        if (inCategory < minSample || total - inCategory < minSample)
        {
            profile.InsufficientSample = true;
            profile.Note =
                $"The sample is too small: {inCategory} of {total} responses are {name} and {total - inCategory} are not; " +
                $"profiling needs at least {minSample} of each (min_sample_size).";
            return profile;
        }

        var values = new List<PersonaValue>();
        foreach (var value in counts.Values)
        {
            if (value.Counts.N < minSupport)
            {
                profile.BelowSupportCount++;
                continue;
            }

            values.Add(BuildValue(value, CategoryCount(value.Counts, category), inCategory, total));
        }

        var tested = values.Where(v => v.HasPValue).ToList();
        double[] adjusted = FalseDiscoveryRate.BenjaminiHochberg(tested.Select(v => v.PValue).ToArray());
        for (int i = 0; i < tested.Count; i++)
        {
            tested[i].AdjustedPValue = adjusted[i];
        }

        var ranked = values
            .OrderByDescending(v => v.Lift)
            .ThenByDescending(v => v.ResponseCount)
            .ThenBy(v => v.Attribute.Scope)
            .ThenBy(v => v.Attribute.Key, StringComparer.Ordinal)
            .ThenBy(v => v.Attribute.Value, StringComparer.Ordinal)
            .ToList();
        if (topK > 0 && ranked.Count > 2 * topK)
        {
            ranked = ranked.Take(topK).Concat(ranked.Skip(ranked.Count - topK)).ToList();
        }

        profile.Values.AddRange(ranked);
        return profile;
    }

    private static PersonaValue BuildValue(AttributeValueCount value, long valueInCategory, long inCategory, long total)
    {
        double categoryShare = (double)valueInCategory / inCategory;
        double overallShare = (double)value.Counts.N / total;
        var message = new PersonaValue
        {
            Attribute = InsightMessages.ToMessage(value.Source, value.Key, value.Value),
            ResponseCount = value.Counts.N,
            CategoryCount = valueInCategory,
            CategoryShare = categoryShare,
            OverallShare = overallShare,
            Lift = categoryShare / overallShare,
            CategoryRate = (double)valueInCategory / value.Counts.N,
            Nps = value.Counts.Nps!.Value,
        };

        if (ProportionTest.Compute(valueInCategory, value.Counts.N, inCategory, total) is { } test)
        {
            message.PValue = test.PValue;
            message.Test = InsightMessages.ToMessage(test.Method);
        }

        return message;
    }

    /// <summary>Returns the promoters or detractors of <paramref name="counts"/>.</summary>
    internal static long CategoryCount(NpsCounts counts, ScoreCategory category) => category switch
    {
        ScoreCategory.Promoter => counts.Promoters,
        ScoreCategory.Detractor => counts.Detractors,
        _ => counts.Passives,
    };
}

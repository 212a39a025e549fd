using NpsGrpc.Domain.Insights;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Storage.Insights;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Insights;

/// <summary>Comment themes: the terms most distinctive of promoters' comments against detractors', and the reverse.</summary>
public sealed class CommentThemeQuery(QueryRequestParser parser, CohortResolver cohorts, CommentStore comments)
{
    /// <summary>Largest top_k.</summary>
    public const int MaxTopK = 200;

    /// <summary>Largest min_count.</summary>
    public const int MaxMinCount = 1000;

    /// <summary>Runs a GetCommentThemes request.</summary>
    public async Task<GetCommentThemesResponse> RunAsync(GetCommentThemesRequest request, CancellationToken cancellationToken)
    {
        int topK = InsightSelection.ReadCount(request.TopK, "top_k", 20, MaxTopK);
        int minCount = InsightSelection.ReadCount(request.MinCount, "min_count", 3, MaxMinCount);
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

        var response = new GetCommentThemesResponse();
        var terms = new DistinctiveTerms();
        await foreach (var (score, comment) in comments.ReadPromoterAndDetractorCommentsAsync(selection, cancellationToken))
        {
            bool promoter = score >= 9;
            terms.Add(CommentTokenizer.Tokenize(comment), promoter);
            if (promoter)
            {
                response.PromoterCommentCount++;
            }
            else
            {
                response.DetractorCommentCount++;
            }
        }

        var scores = terms.Score(minCount);
        response.PromoterThemes.AddRange(scores
            .Where(s => s.Z > 0)
            .OrderByDescending(s => s.Z)
            .ThenBy(s => s.Term, StringComparer.Ordinal)
            .Take(topK)
            .Select(ToMessage));
        response.DetractorThemes.AddRange(scores
            .Where(s => s.Z < 0)
            .OrderBy(s => s.Z)
            .ThenBy(s => s.Term, StringComparer.Ordinal)
            .Take(topK)
            .Select(ToMessage));
        return response;
    }

    private static CommentTheme ToMessage(TermScore score) => new()
    {
        Term = score.Term,
        Phrase = score.Term.Contains(' ', StringComparison.Ordinal),
        PromoterCount = score.FirstCount,
        DetractorCount = score.SecondCount,
        LogOddsRatio = score.LogOddsRatio,
        ZScore = score.Z,
    };
}

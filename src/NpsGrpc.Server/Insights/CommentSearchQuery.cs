using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Services;
using NpsGrpc.Storage.Insights;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Insights;

/// <summary>Full-text search over comments, newest first, with keyset page tokens.</summary>
public sealed class CommentSearchQuery(QueryRequestParser parser, CohortResolver cohorts, CommentStore comments)
{
    /// <summary>Longest search text, in characters.</summary>
    public const int MaxQueryLength = 200;

    /// <summary>Largest page_size.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Runs a SearchComments request.</summary>
    public async Task<SearchCommentsResponse> RunAsync(SearchCommentsRequest request, CancellationToken cancellationToken)
    {
        string text = request.Query.Trim();
        if (text.Length == 0)
        {
            throw RpcErrors.InvalidArgument("query", "query is required: give the words to search for");
        }

        if (Identifiers.CheckText(text, MaxQueryLength) is { } problem)
        {
            throw RpcErrors.InvalidArgument("query", $"query {problem}");
        }

        var ranges = ReadCategories(request);
        int pageSize = InsightSelection.ReadCount(request.PageSize, "page_size", 50, MaxPageSize);
        var after = ReadToken(request.PageToken);
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
        if (!await comments.HasSearchTermsAsync(text, cancellationToken))
        {
            throw RpcErrors.InvalidArgument(
                "query", $"query '{Identifiers.Shorten(text)}' contains no word to search for; give at least one word");
        }

        // One row more than the page shows whether another page follows.
        var rows = await comments.SearchAsync(selection, new CommentSearch(text, ranges, pageSize + 1, after), cancellationToken);
        var response = new SearchCommentsResponse();
        foreach (var row in rows.Take(pageSize))
        {
            response.Matches.Add(new CommentMatch
            {
                SurveyId = row.SurveyId,
                ResponseId = row.ResponseId,
                CustomerId = row.CustomerId,
                Score = row.Score,
                Category = InsightMessages.ToMessage(ScoreCategories.Categorize(row.Score)),
                RespondedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(row.RespondedAt, DateTimeKind.Utc)),
                Comment = row.Comment,
                Snippet = row.Snippet,
            });
        }

        if (rows.Count > pageSize)
        {
            var last = rows[pageSize - 1];
            response.NextPageToken = PageToken.Encode(
                $"{last.RespondedAt.Ticks.ToString(CultureInfo.InvariantCulture)}|{last.SurveyId}|{last.ResponseId}");
        }

        return response;
    }

    private static List<(int Lowest, int Highest)> ReadCategories(SearchCommentsRequest request)
    {
        var ranges = new List<(int Lowest, int Highest)>();
        for (int i = 0; i < request.Categories.Count; i++)
        {
            ranges.Add(request.Categories[i] switch
            {
                NpsCategory.Detractor => (0, 6),
                NpsCategory.Passive => (7, 8),
                NpsCategory.Promoter => (9, 10),
                var other => throw RpcErrors.InvalidArgument(
                    $"categories[{i}]", $"categories[{i}] {ProtoNames.Of(other)} is invalid; use NPS_CATEGORY_DETRACTOR, NPS_CATEGORY_PASSIVE or NPS_CATEGORY_PROMOTER"),
            });
        }

        return ranges.Distinct().ToList();
    }

    private static CommentSearchCursor? ReadToken(string token)
    {
        if (PageToken.Decode(token) is not { } key)
        {
            return null;
        }

        // Survey ids never contain '|', so the response id is everything after the second separator.
        string[] parts = key.Split('|', 3);
        if (parts.Length == 3
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
            && ticks <= DateTime.MaxValue.Ticks
            && parts[1].Length > 0
            && parts[2].Length > 0)
        {
            return new CommentSearchCursor(new DateTime(ticks, DateTimeKind.Utc), parts[1], parts[2]);
        }

        throw RpcErrors.InvalidArgument(
            "page_token", "page_token is not a token returned by SearchComments; pass next_page_token unchanged");
    }
}

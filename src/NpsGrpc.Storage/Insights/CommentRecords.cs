namespace NpsGrpc.Storage.Insights;

/// <summary>Position after which the next page of a comment search starts, in its newest-first order.</summary>
/// <param name="RespondedAt">responded_at of the last match of the previous page.</param>
/// <param name="SurveyId">Survey of that match.</param>
/// <param name="ResponseId">Response id of that match.</param>
public sealed record CommentSearchCursor(DateTime RespondedAt, string SurveyId, string ResponseId);

/// <summary>A comment search.</summary>
/// <param name="Text">Search text in PostgreSQL websearch_to_tsquery syntax.</param>
/// <param name="ScoreRanges">Score ranges to keep as (lowest, highest) pairs; empty keeps every score.</param>
/// <param name="PageSize">Matches to return.</param>
/// <param name="After">Where the page starts, or null for the first page.</param>
public sealed record CommentSearch(
    string Text, IReadOnlyList<(int Lowest, int Highest)> ScoreRanges, int PageSize, CommentSearchCursor? After);

/// <summary>A response whose comment matched a search.</summary>
/// <param name="SurveyId">Survey of the response.</param>
/// <param name="ResponseId">Client-supplied response id.</param>
/// <param name="CustomerId">Customer who gave the response.</param>
/// <param name="Score">Score, 0 to 10.</param>
/// <param name="RespondedAt">When the response was given, in UTC.</param>
/// <param name="Comment">The whole comment.</param>
/// <param name="Snippet">ts_headline fragments with each match between « and ».</param>
public sealed record CommentMatchRow(
    string SurveyId, string ResponseId, string CustomerId, int Score, DateTime RespondedAt, string Comment, string Snippet);

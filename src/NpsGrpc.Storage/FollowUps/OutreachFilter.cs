namespace NpsGrpc.Storage.FollowUps;

/// <summary>Conditions of a list of outreach items; null or empty means no condition.</summary>
/// <param name="SurveyId">Only items of this survey.</param>
/// <param name="Statuses">Only items in one of these statuses.</param>
/// <param name="Owner">Only items with this owner (empty string: only items without an owner).</param>
/// <param name="Reasons">Only items opened for one of these reasons.</param>
/// <param name="RespondedFrom">Only items whose response was given at or after this instant.</param>
/// <param name="RespondedTo">Only items whose response was given before this instant.</param>
public sealed record OutreachFilter(
    string? SurveyId,
    IReadOnlyList<string> Statuses,
    string? Owner,
    IReadOnlyList<string> Reasons,
    DateTime? RespondedFrom,
    DateTime? RespondedTo);

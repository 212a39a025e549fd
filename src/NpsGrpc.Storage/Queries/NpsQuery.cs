namespace NpsGrpc.Storage.Queries;

/// <summary>Where a grouping attribute is read from.</summary>
public enum AttributeSource
{
    /// <summary>The response's own attributes.</summary>
    Response,

    /// <summary>The attributes of the customer who answered; may hold several values.</summary>
    Customer,
}

/// <summary>An attribute to group by.</summary>
public sealed record GroupingAttribute(string Key, AttributeSource Source);

/// <summary>Filter and grouping of an NPS count query.</summary>
/// <param name="SurveyId">Survey to count.</param>
/// <param name="From">Inclusive lower bound of responded_at, or null.</param>
/// <param name="To">Exclusive upper bound of responded_at, or null.</param>
/// <param name="GroupBy">Attributes to group by, in order.</param>
public sealed record NpsQuery(string SurveyId, DateTime? From, DateTime? To, IReadOnlyList<GroupingAttribute> GroupBy);

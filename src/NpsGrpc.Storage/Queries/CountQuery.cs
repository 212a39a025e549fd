namespace NpsGrpc.Storage.Queries;

/// <summary>Where an attribute is read from.</summary>
public enum AttributeSource
{
    /// <summary>The response's own attributes.</summary>
    Response,

    /// <summary>The attributes of the customer who answered; may hold several values.</summary>
    Customer,
}

/// <summary>An attribute to group by.</summary>
public sealed record GroupingAttribute(string Key, AttributeSource Source);

/// <summary>How an <see cref="AttributeFilter"/> compares.</summary>
public enum FilterOperator
{
    /// <summary>The attribute has one of the values (any value, for a multi-valued attribute).</summary>
    In,

    /// <summary>The attribute has none of the values; responses without the attribute match.</summary>
    NotIn,

    /// <summary>The attribute is present.</summary>
    Present,

    /// <summary>The attribute is missing.</summary>
    Missing,
}

/// <summary>A condition on one attribute.</summary>
public sealed record AttributeFilter(string Key, AttributeSource Source, FilterOperator Operator, IReadOnlyList<string> Values);

/// <summary>One time bucket: its first local date and the UTC instants it covers, [StartUtc, EndUtc).</summary>
public sealed record BucketInterval(DateOnly Start, DateTime StartUtc, DateTime EndUtc);

/// <summary>
/// Time buckets of a count: PostgreSQL's date_trunc unit applied to local time in an IANA zone, and the same buckets
/// as explicit intervals, which must cover the query's range exactly.
/// </summary>
/// <param name="DateTruncUnit">day, week (ISO, Monday start), month, quarter or year.</param>
/// <param name="TimeZone">IANA time zone id, already validated.</param>
/// <param name="Buckets">The buckets in time order.</param>
public sealed record TimeBucketing(string DateTruncUnit, string TimeZone, IReadOnlyList<BucketInterval> Buckets);

/// <summary>What to count: which responses, grouped how.</summary>
/// <param name="SurveyIds">Surveys whose responses are counted.</param>
/// <param name="From">Inclusive lower bound of responded_at, or null.</param>
/// <param name="To">Exclusive upper bound of responded_at, or null.</param>
/// <param name="Filters">Conditions combined with AND.</param>
/// <param name="GroupBy">Attributes to group by, in order.</param>
/// <param name="Bucketing">Time buckets to group by after the attributes, or null.</param>
/// <param name="Weighted">Whether to sum weights too.</param>
public sealed record CountQuery(
    IReadOnlyList<string> SurveyIds,
    DateTime? From,
    DateTime? To,
    IReadOnlyList<AttributeFilter> Filters,
    IReadOnlyList<GroupingAttribute> GroupBy,
    TimeBucketing? Bucketing,
    bool Weighted);

namespace NpsGrpc.Domain.Time;

/// <summary>Width of a time-series bucket, in the calendar of the requested time zone.</summary>
public enum BucketWidth
{
    /// <summary>A local calendar day.</summary>
    Day,

    /// <summary>An ISO 8601 week: Monday to Sunday, numbered within its ISO week-numbering year.</summary>
    IsoWeek,

    /// <summary>A calendar month.</summary>
    Month,

    /// <summary>A calendar quarter starting in January, April, July or October.</summary>
    Quarter,

    /// <summary>A calendar year.</summary>
    Year,
}

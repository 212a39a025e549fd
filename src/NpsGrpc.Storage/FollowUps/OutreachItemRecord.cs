namespace NpsGrpc.Storage.FollowUps;

/// <summary>A row of <c>outreach_items</c>: a follow-up item or an advocacy candidate.</summary>
public sealed record OutreachItemRecord
{
    /// <summary>Server-assigned id, unique across both kinds.</summary>
    public long ItemId { get; init; }

    /// <summary>Survey of the response.</summary>
    public string SurveyId { get; init; } = "";

    /// <summary>Response that opened the item.</summary>
    public string ResponseId { get; init; } = "";

    /// <summary>Customer who gave the response.</summary>
    public string CustomerId { get; init; } = "";

    /// <summary>detractor, score_drop or promoter_comment.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Score of the response.</summary>
    public short Score { get; init; }

    /// <summary>The customer's score just before this response, by responded_at, or null for a first response.</summary>
    public short? PreviousScore { get; init; }

    /// <summary>When the response was given.</summary>
    public DateTime RespondedAt { get; init; }

    /// <summary>The comment of the response, or null.</summary>
    public string? Comment { get; init; }

    /// <summary>Load sequence of the ingest batch that opened the item.</summary>
    public long LoadSeq { get; init; }

    /// <summary>Current status, one of <see cref="Domain.FollowUps.OutreachStatuses.All"/> for the item's kind.</summary>
    public string Status { get; init; } = "";

    /// <summary>Who works on the item, or empty.</summary>
    public string Owner { get; init; } = "";

    /// <summary>Free-text note, or empty.</summary>
    public string Note { get; init; } = "";

    /// <summary>Starts at 1 and grows by 1 on every update; an update names the version it read.</summary>
    public long Version { get; init; }

    /// <summary>When ingest opened the item.</summary>
    public DateTime CreateTime { get; init; }

    /// <summary>When the item last changed.</summary>
    public DateTime UpdateTime { get; init; }

    /// <summary>When the status last changed (the create time until then).</summary>
    public DateTime StatusTime { get; init; }
}

namespace NpsGrpc.Domain.FollowUps;

/// <summary>The two lists that ingest fills: customers to call back and customers to ask for a review.</summary>
public enum OutreachKind
{
    /// <summary>A detractor response, or a customer whose latest score dropped; statuses open, contacted, resolved, dismissed.</summary>
    FollowUp,

    /// <summary>A promoter who left a comment; statuses candidate, requested, agreed, declined, done.</summary>
    Advocacy,
}

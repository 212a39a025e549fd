namespace NpsGrpc.Storage.FollowUps;

/// <summary>
/// A position in the follow-up feed: the load sequence of the batch that opened the last delivered item and that
/// item's id. Items are delivered in (load sequence, item id) order.
/// </summary>
/// <param name="LoadSeq">Load sequence of the last delivered item, or 0 before the first.</param>
/// <param name="ItemId">Id of the last delivered item, or 0 before the first.</param>
public readonly record struct FeedPosition(long LoadSeq, long ItemId)
{
    /// <summary>The position before every item.</summary>
    public static FeedPosition Start => new(0, 0);
}

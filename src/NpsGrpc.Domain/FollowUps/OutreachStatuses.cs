namespace NpsGrpc.Domain.FollowUps;

/// <summary>
/// The statuses of each <see cref="OutreachKind"/> as stored (lowercase words), and the transitions an update may
/// make. Ingest opens follow-up items as open and advocacy candidates as candidate. Keeping the status unchanged is
/// always allowed, so an update may change only the owner or the note.
/// </summary>
public static class OutreachStatuses
{
    private static readonly Dictionary<string, string[]> FollowUpTransitions = new(StringComparer.Ordinal)
    {
        ["open"] = ["contacted", "resolved", "dismissed"],
        ["contacted"] = ["resolved", "dismissed"],
        ["resolved"] = ["open"],
        ["dismissed"] = ["open"],
    };

    private static readonly Dictionary<string, string[]> AdvocacyTransitions = new(StringComparer.Ordinal)
    {
        ["candidate"] = ["requested", "declined"],
        ["requested"] = ["agreed", "declined"],
        ["agreed"] = ["done", "declined"],
        ["declined"] = ["candidate"],
        ["done"] = [],
    };

    /// <summary>Every status of <paramref name="kind"/>.</summary>
    public static IReadOnlyCollection<string> All(OutreachKind kind) => Transitions(kind).Keys;

    /// <summary>The statuses an item of <paramref name="kind"/> in <paramref name="status"/> may move to.</summary>
    public static IReadOnlyList<string> NextStatuses(OutreachKind kind, string status) =>
        Transitions(kind).TryGetValue(status, out var next) ? next : [];

    /// <summary>Whether an item of <paramref name="kind"/> may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanMove(OutreachKind kind, string from, string to) =>
        string.Equals(from, to, StringComparison.Ordinal) || NextStatuses(kind, from).Contains(to, StringComparer.Ordinal);

    private static Dictionary<string, string[]> Transitions(OutreachKind kind) =>
        kind == OutreachKind.FollowUp ? FollowUpTransitions : AdvocacyTransitions;
}

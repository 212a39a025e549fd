namespace NpsGrpc.Cli.Ingest;

/// <summary>Whether a row failed on the client or on the server.</summary>
internal enum RowIssueKind
{
    /// <summary>The row could not be turned into a request, so it was not sent.</summary>
    Unparsable,

    /// <summary>The server rejected the item.</summary>
    Rejected,
}

/// <summary>A row that was not stored, with the reason.</summary>
/// <param name="LineNumber">Physical line of the CSV file where the record starts.</param>
/// <param name="Kind">Where the row failed.</param>
/// <param name="FieldPath">The offending field, such as "score" or "attributes[plan]".</param>
/// <param name="Message">What is wrong, naming the value.</param>
internal sealed record RowIssue(long LineNumber, RowIssueKind Kind, string FieldPath, string Message)
{
    /// <summary>Formats the issue as one line: "line 12: rejected: score: ...".</summary>
    public override string ToString() =>
        $"line {LineNumber}: {(Kind == RowIssueKind.Rejected ? "rejected" : "unparsable")}: {FieldPath}: {Message}";
}

using NpsGrpc.V1;

namespace NpsGrpc.Cli.Ingest;

/// <summary>
/// Counts and issues of one ingest run. Rows are counted by the CSV reader and batch results by the result
/// reader, which run concurrently, so every update takes a lock.
/// </summary>
internal sealed class IngestReport
{
    private readonly Lock _lock = new();
    private readonly List<RowIssue> _issues = [];

    /// <summary>Data records read from the file.</summary>
    public long RowsRead { get; private set; }

    /// <summary>Responses the server stored.</summary>
    public long Accepted { get; private set; }

    /// <summary>Responses already stored with the same content.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Responses the server rejected.</summary>
    public long Rejected { get; private set; }

    /// <summary>Rows that could not be turned into responses and were not sent.</summary>
    public long Unparsable { get; private set; }

    /// <summary>Last CSV line of the last batch the server acknowledged, or 0 before the first result.</summary>
    public long LastAcknowledgedLine { get; private set; }

    /// <summary>Whether every row was accepted or was a duplicate.</summary>
    public bool AllStored => Rejected == 0 && Unparsable == 0;

    /// <summary>Counts one data record read from the file.</summary>
    public void CountRow()
    {
        lock (_lock)
        {
            RowsRead++;
        }
    }

    /// <summary>Records a row that was not sent.</summary>
    public void AddUnparsable(RowIssue issue)
    {
        lock (_lock)
        {
            Unparsable++;
            _issues.Add(issue);
        }
    }

    /// <summary>Adds the result of a batch whose items came from <paramref name="lineNumbers"/>, in order.</summary>
    public void AddResult(ResponseBatchResult result, IReadOnlyList<long> lineNumbers)
    {
        lock (_lock)
        {
            Accepted += result.AcceptedCount;
            Duplicates += result.DuplicateCount;
            Rejected += result.RejectedCount;
            foreach (var rejection in result.Rejections)
            {
                _issues.Add(ToIssue(rejection, lineNumbers));
            }

            if (lineNumbers.Count > 0)
            {
                LastAcknowledgedLine = lineNumbers[^1];
            }
        }
    }

    /// <summary>Converts a server rejection of item <c>index</c> of a batch into an issue at its CSV line.</summary>
    public static RowIssue ToIssue(ItemRejection rejection, IReadOnlyList<long> lineNumbers)
    {
        long line = rejection.Index >= 0 && rejection.Index < lineNumbers.Count ? lineNumbers[rejection.Index] : 0;
        string fieldPath = rejection.FieldPath.Length > 0 ? rejection.FieldPath : "(item)";
        return new RowIssue(line, RowIssueKind.Rejected, fieldPath, rejection.Message);
    }

    /// <summary>Writes the issues in line order, then the summary.</summary>
    public void Print(TextWriter output)
    {
        lock (_lock)
        {
            foreach (var issue in _issues.OrderBy(issue => issue.LineNumber))
            {
                output.WriteLine(issue);
            }

            output.WriteLine($"rows read: {RowsRead}");
            output.WriteLine($"accepted: {Accepted}");
            output.WriteLine($"duplicates: {Duplicates}");
            output.WriteLine($"rejected: {Rejected}");
            output.WriteLine($"unparsable: {Unparsable}");
        }
    }
}

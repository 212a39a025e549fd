using NpsGrpc.Cli.Ingest;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Customers;

/// <summary>
/// Counts and issues of one customer upsert run. Results arrive on another thread, so updates take a lock.
/// </summary>
internal sealed class CustomerReport
{
    private readonly Lock _lock = new();
    private readonly List<RowIssue> _issues = [];

    /// <summary>Data records read from the file.</summary>
    public long RowsRead { get; set; }

    /// <summary>Distinct customer ids found in the file.</summary>
    public long Customers { get; set; }

    /// <summary>Customers the server created or updated.</summary>
    public long Upserted { get; private set; }

    /// <summary>Customers the server rejected.</summary>
    public long Rejected { get; private set; }

    /// <summary>Rows that could not be read, such as rows without a customer id.</summary>
    public long Unparsable { get; private set; }

    /// <summary>Whether every row was read and every customer stored.</summary>
    public bool AllStored => Rejected == 0 && Unparsable == 0;

    /// <summary>Records a row that was not used.</summary>
    public void AddUnparsable(RowIssue issue)
    {
        lock (_lock)
        {
            Unparsable++;
            _issues.Add(issue);
        }
    }

    /// <summary>
    /// Adds the result of a batch whose customers' first rows are <paramref name="firstLines"/>, in order.
    /// </summary>
    public void AddResult(UpsertCustomersResponse result, IReadOnlyList<long> firstLines)
    {
        lock (_lock)
        {
            Upserted += result.UpsertedCount;
            Rejected += result.RejectedCount;
            foreach (var rejection in result.Rejections)
            {
                var issue = IngestReport.ToIssue(rejection, firstLines);
                _issues.Add(issue with { Message = $"customer '{rejection.ItemId}': {issue.Message}" });
            }
        }
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
            output.WriteLine($"customers: {Customers}");
            output.WriteLine($"upserted: {Upserted}");
            output.WriteLine($"rejected: {Rejected}");
            output.WriteLine($"unparsable: {Unparsable}");
        }
    }
}

using System.Runtime.CompilerServices;
using NpsGrpc.Cli.Csv;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Streaming;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Ingest;

/// <summary>
/// Reads survey responses from a CSV file and streams them to IngestService.StreamResponses in batches.
/// </summary>
internal sealed class ResponseIngestor(IngestService.IngestServiceClient client)
{
    // Batches sent before their results arrive. The server handles one batch at a time, so a few are enough to
    // keep it busy while the next is read and sent.
    private const int MaxBatchesInFlight = 4;

    /// <summary>
    /// Ingests every row of <paramref name="file"/> into <paramref name="surveyId"/> and records the outcome in
    /// <paramref name="report"/>, which stays valid when the call fails part way.
    /// </summary>
    public async Task RunAsync(
        string surveyId,
        CsvFile file,
        ResponseColumns columns,
        int batchSize,
        IngestReport report,
        Action<long> reportProgress,
        CancellationToken cancellationToken)
    {
        using var call = client.StreamResponses(cancellationToken: cancellationToken);
        var batches = ReadBatchesAsync(surveyId, file, columns, batchSize, report, reportProgress, cancellationToken);
        await OrderedBatchStream.RunAsync(
            call,
            batches,
            (sent, response) =>
            {
                if (response.Result.BatchId != sent.BatchId)
                {
                    throw new ServerProtocolException(
                        $"The server returned the result of batch '{response.Result.BatchId}' where the result of " +
                        $"batch '{sent.BatchId}' was expected.");
                }

                report.AddResult(response.Result, sent.LineNumbers);
                reportProgress(file.Position);
            },
            MaxBatchesInFlight,
            cancellationToken);
    }

    private static async IAsyncEnumerable<(StreamResponsesRequest Request, SentBatch Sent)> ReadBatchesAsync(
        string surveyId,
        CsvFile file,
        ResponseColumns columns,
        int batchSize,
        IngestReport report,
        Action<long> reportProgress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = new ResponseRowReader(columns);
        string runId = Guid.NewGuid().ToString("N")[..12];
        int sequence = 0;
        var batch = NewBatch();
        var lineNumbers = new List<long>(batchSize);

        await foreach (var row in file.ReadRowsAsync(cancellationToken))
        {
            report.CountRow();
            if (rows.Read(row, out RowIssue? issue) is not { } response)
            {
                report.AddUnparsable(issue!);
                continue;
            }

            batch.Responses.Add(response);
            lineNumbers.Add(row.LineNumber);
            if (batch.Responses.Count == batchSize)
            {
                yield return (batch, new SentBatch(batch.BatchId, lineNumbers.ToArray()));
                batch = NewBatch();
                lineNumbers.Clear();
                reportProgress(file.Position);
            }
        }

        if (batch.Responses.Count > 0)
        {
            yield return (batch, new SentBatch(batch.BatchId, lineNumbers.ToArray()));
        }

        StreamResponsesRequest NewBatch() => new() { SurveyId = surveyId, BatchId = $"{runId}-{++sequence}" };
    }

    /// <summary>A batch awaiting its result: its id and the CSV line of each of its items.</summary>
    private sealed record SentBatch(string BatchId, long[] LineNumbers);
}

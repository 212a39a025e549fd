using NpsGrpc.Cli.Streaming;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Customers;

/// <summary>Sends collected customers to IngestService.UpsertCustomers in batches.</summary>
internal sealed class CustomerUploader(IngestService.IngestServiceClient client)
{
    private const int MaxBatchesInFlight = 4;

    /// <summary>
    /// Upserts every customer of <paramref name="table"/> and records the outcome in <paramref name="report"/>.
    /// </summary>
    public async Task RunAsync(
        CustomerTable table,
        int batchSize,
        CustomerReport report,
        Action<long> reportProgress,
        CancellationToken cancellationToken)
    {
        using var call = client.UpsertCustomers(cancellationToken: cancellationToken);
        long done = 0;
        await OrderedBatchStream.RunAsync(
            call,
            Batches(table, batchSize).ToAsyncEnumerable(),
            (sent, result) =>
            {
                if (result.BatchId != sent.BatchId)
                {
                    throw new ServerProtocolException(
                        $"The server returned the result of batch '{result.BatchId}' where the result of batch " +
                        $"'{sent.BatchId}' was expected.");
                }

                report.AddResult(result, sent.FirstLines);
                done += sent.FirstLines.Length;
                reportProgress(done);
            },
            MaxBatchesInFlight,
            cancellationToken);
    }

    private static IEnumerable<(UpsertCustomersRequest Request, SentBatch Sent)> Batches(
        CustomerTable table, int batchSize)
    {
        string runId = Guid.NewGuid().ToString("N")[..12];
        int sequence = 0;
        foreach (var chunk in table.Customers.Chunk(batchSize))
        {
            var request = new UpsertCustomersRequest { BatchId = $"{runId}-{++sequence}" };
            request.Customers.AddRange(chunk.Select(entry => entry.ToMessage()));
            yield return (request, new SentBatch(request.BatchId, chunk.Select(entry => entry.FirstLine).ToArray()));
        }
    }

    /// <summary>A batch awaiting its result: its id and the first CSV line of each of its customers.</summary>
    private sealed record SentBatch(string BatchId, long[] FirstLines);
}

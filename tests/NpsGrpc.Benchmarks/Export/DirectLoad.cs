using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Benchmarks.Generation;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>
/// Loads generated responses straight into <c>responses</c> with binary COPY, bypassing the gRPC ingest path, because
/// the export benchmark times reading the rows and not storing them. Each batch is one COPY in its own transaction and
/// takes one value of <c>response_load_seq</c>, as an ingest batch does, so that an export run selects the rows by
/// load sequence as it would after a real ingest. The rollup tables are not updated: the export does not read them.
/// </summary>
public sealed class DirectLoad(BenchmarkDatabase database, TextWriter output)
{
    // The columns and types of ResponseWriter's direct COPY into responses.
    private const string CopySql =
        "COPY responses (survey_id, response_id, received_at, load_seq, customer_id, score, responded_at, comment, " +
        "attributes, weight, content_hash) FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// Stores <paramref name="count"/> responses from <paramref name="responses"/> in <paramref name="surveyId"/> and
    /// returns the wall time. With <paramref name="comments"/> set, every response gets one of its comments.
    /// </summary>
    public async Task<TimeSpan> RunAsync(
        IEnumerable<GeneratedResponse> responses,
        int count,
        string surveyId,
        CommentText? comments,
        CancellationToken cancellationToken)
    {
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateBounded<GeneratedResponse[]>(
            new BoundedChannelOptions(2 * ExportSettings.LoadConnections) { SingleWriter = true });
        var stopwatch = Stopwatch.StartNew();
        var producer = Task.Run(
            () => Produce(responses, count, comments, queue.Writer, stopwatch, failure.Token), failure.Token);
        var tasks = Enumerable.Range(0, ExportSettings.LoadConnections)
            .Select(_ => CopyBatchesAsync(queue.Reader, surveyId, failure))
            .Append(producer)
            .ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception exception) when (FirstCause(tasks) is { } cause && cause != exception)
        {
            // A failed task cancels the others; report its error rather than their cancellation.
            ExceptionDispatchInfo.Throw(cause);
            throw;
        }

        // Ingest records each survey's attribute keys, and the export reads its columns from there.
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        await using (var keys = new NpgsqlCommand(
            "INSERT INTO response_attribute_keys (survey_id, key) SELECT @survey, unnest(ARRAY['region', 'plan', 'channel']) ON CONFLICT DO NOTHING",
            connection))
        {
            keys.Parameters.AddWithValue("survey", surveyId);
            await keys.ExecuteNonQueryAsync();
        }

        return stopwatch.Elapsed;
    }

    private static Exception? FirstCause(IEnumerable<Task> tasks) => tasks
        .Where(task => task.IsFaulted)
        .SelectMany(task => task.Exception!.InnerExceptions)
        .FirstOrDefault(exception => exception is not OperationCanceledException);

    private void Produce(
        IEnumerable<GeneratedResponse> responses,
        int count,
        CommentText? comments,
        ChannelWriter<GeneratedResponse[]> writer,
        Stopwatch elapsed,
        CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            int queued = 0;
            int nextReport = Math.Max(1, count / 10);
            var batch = new List<GeneratedResponse>(ExportSettings.BatchSize);
            foreach (var response in responses.Take(count))
            {
                batch.Add(comments is null ? response : response with { Comment = comments.Next() });
                if (batch.Count < ExportSettings.BatchSize && queued + batch.Count < count)
                {
                    continue;
                }

                // The producer thread only waits here, for a free slot in the queue.
                writer.WriteAsync(batch.ToArray(), cancellationToken).AsTask().GetAwaiter().GetResult();
                queued += batch.Count;
                batch.Clear();
                if (queued >= nextReport)
                {
                    output.WriteLine($"  loaded up to {queued:N0} responses after {elapsed.Elapsed.TotalSeconds:F0} s");
                    nextReport += Math.Max(1, count / 10);
                }
            }
        }
        catch (Exception exception)
        {
            error = exception;
            throw;
        }
        finally
        {
            writer.TryComplete(error);
        }
    }

    private async Task CopyBatchesAsync(
        ChannelReader<GeneratedResponse[]> queue, string surveyId, CancellationTokenSource failure)
    {
        try
        {
            await using var connection = await database.OpenAsync(failure.Token);
            await foreach (var batch in queue.ReadAllAsync(failure.Token))
            {
                long loadSequence;
                await using (var next = new NpgsqlCommand("SELECT nextval('response_load_seq')", connection))
                {
                    loadSequence = (long)(await next.ExecuteScalarAsync(failure.Token))!;
                }

                await CopyAsync(connection, batch, surveyId, loadSequence, DateTime.UtcNow, failure.Token);
            }
        }
        catch
        {
            // Stops the producer and the other connection, which would otherwise wait for a queue that no task empties.
            await failure.CancelAsync();
            throw;
        }
    }

    private static async Task CopyAsync(
        NpgsqlConnection connection,
        GeneratedResponse[] batch,
        string surveyId,
        long loadSequence,
        DateTime receivedAt,
        CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken);
        foreach (var response in batch)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(surveyId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(response.ResponseId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(receivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(loadSequence, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(response.CustomerId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync((short)response.Score, NpgsqlDbType.Smallint, cancellationToken);
            await importer.WriteAsync(response.RespondedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            if (response.Comment is null)
            {
                await importer.WriteNullAsync(cancellationToken);
            }
            else
            {
                await importer.WriteAsync(response.Comment, NpgsqlDbType.Text, cancellationToken);
            }

            // The values are fixed identifiers from SurveyProfile, so they need no JSON escaping.
            string attributes = $"{{\"region\": \"{response.Region}\", \"plan\": \"{response.Plan}\", " +
                $"\"channel\": \"{response.Channel}\"}}";
            await importer.WriteAsync(attributes, NpgsqlDbType.Jsonb, cancellationToken);

            // No weight, as in the generated requests of the other benchmarks. The export writes 1 in its place.
            await importer.WriteNullAsync(cancellationToken);

            // The server's fingerprint is 16 bytes. The export never reads it, so the response id's 16 bytes stand in.
            await importer.WriteAsync(Guid.Parse(response.ResponseId).ToByteArray(), NpgsqlDbType.Bytea, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }
}

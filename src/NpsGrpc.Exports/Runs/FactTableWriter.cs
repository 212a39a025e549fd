using System.Threading.Channels;
using Npgsql;
using NpsGrpc.Exports.Layout;
using NpsGrpc.Exports.Parquet;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Exports.Runs;

/// <summary>
/// Streams selected responses from PostgreSQL into date-partitioned fact files. A reader thread decodes the binary COPY
/// into column buffers, one per local date, and hands each full buffer to a writer that encodes it as a row group while
/// the reader goes on, so reading and writing overlap. Memory stays bounded whatever the row order: buffers are handed
/// over when they reach the row group size or 64 MiB of text, and when all buffers together pass a budget the largest
/// goes early as a smaller row group.
/// </summary>
public sealed class FactTableWriter
{
    /// <summary>Text per row group, in UTF-16 characters (64 MiB).</summary>
    public const long RowGroupTextLimit = 32L * 1024 * 1024;

    /// <summary>Text held in all partition buffers together before the largest is written early (128 MiB).</summary>
    private const long BufferedTextBudget = 64L * 1024 * 1024;

    /// <summary>
    /// Rows after which a partition buffer that received none of them is handed to the writer. Responses usually
    /// arrive roughly in time order, so a date that has gone quiet is complete and the writer can encode it while the
    /// reader goes on, instead of every date waiting for the end of the COPY.
    /// </summary>
    private const int IdleRows = 20_000;

    /// <summary>Row groups per file before a partition starts a new file.</summary>
    private const int RowGroupsPerFile = 16;

    /// <summary>Files kept open at once; the least recently used one is completed to make room.</summary>
    private const int OpenFileLimit = 24;

    private const int ResponseId = 0, SurveyId = 1, CustomerId = 2, ResponseDate = 3, RespondedAt = 4, ReceivedAt = 5,
        Score = 6, Category = 7, IsPromoter = 8, IsPassive = 9, IsDetractor = 10, Weight = 11, Comment = 12, FirstAttribute = 13;

    /// <summary>
    /// Emptied buffers kept for reuse, so column arrays are not allocated and grown again for every date, because a
    /// run over years of responses starts a buffer per date. The pool keeps at most four full row groups of capacity.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<RowBuffer> _pool = [];
    private long _pooledCapacity;

    private readonly RunFiles _files;
    private readonly IReadOnlyList<AttributeColumn> _attributes;
    private readonly int[] _segmentPositions;
    private readonly int _rowGroupRows;
    private readonly LocalDates _dates;
    private readonly ColumnSpec[] _columns;

    /// <summary>Prepares a writer.</summary>
    /// <param name="files">The run's files.</param>
    /// <param name="attributes">Attribute columns, in order; the COPY returns one value per column.</param>
    /// <param name="segmentKeys">Keys among <paramref name="attributes"/> whose values split the daily counts.</param>
    /// <param name="rowGroupRows">Rows per row group.</param>
    /// <param name="zone">Time zone of the partition dates.</param>
    public FactTableWriter(
        RunFiles files, IReadOnlyList<AttributeColumn> attributes, IReadOnlyList<string> segmentKeys, int rowGroupRows, TimeZoneInfo zone)
    {
        _files = files;
        _attributes = attributes;
        _segmentPositions = segmentKeys.Select(k => attributes.ToList().FindIndex(a => a.AttributeKey == k)).ToArray();
        if (_segmentPositions.Any(p => p < 0))
        {
            throw new ArgumentException("Every segment key must have an attribute column.", nameof(segmentKeys));
        }

        _rowGroupRows = rowGroupRows;
        _dates = new LocalDates(zone);
        _columns = Columns(attributes);
    }

    /// <summary>Fact rows written.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Counts of the rows written, per date, survey and segment.</summary>
    public DailyAccumulator Daily { get; } = new();

    /// <summary>The fact table's columns for <paramref name="attributes"/>.</summary>
    public static ColumnSpec[] Columns(IReadOnlyList<AttributeColumn> attributes) =>
    [
        new("response_id", ColumnKind.Text),
        new("survey_id", ColumnKind.Text, Dictionary: true),
        new("customer_id", ColumnKind.Text),
        new(ExportTables.PartitionColumn, ColumnKind.Date),
        new("responded_at", ColumnKind.Timestamp),
        new("received_at", ColumnKind.Timestamp),
        new("score", ColumnKind.Int32),
        new("category", ColumnKind.Text, Dictionary: true),
        new("is_promoter", ColumnKind.Int32),
        new("is_passive", ColumnKind.Int32),
        new("is_detractor", ColumnKind.Int32),
        new("weight", ColumnKind.Double),
        new("comment", ColumnKind.Text, Nullable: true),
        .. attributes.Select(a => new ColumnSpec(a.ColumnName, ColumnKind.Text, Nullable: true, Dictionary: true)),
    ];

    /// <summary>Copies the rows of <paramref name="selection"/> into staged files and returns them.</summary>
    public async Task<IReadOnlyList<StagedFile>> WriteAsync(
        NpgsqlConnection connection, ResponseSelection selection, CancellationToken cancellationToken)
    {
        var copy = await ExportSource.OpenResponsesAsync(
            connection, selection, _attributes.Select(a => a.AttributeKey).ToList(), cancellationToken);
        var chunks = Channel.CreateBounded<(DateOnly Date, RowBuffer Rows)>(
            new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // The reader decodes synchronously on its own thread: per-value async calls would cost more than the decoding.
        var reading = Task.Factory.StartNew(
            () => Read(copy, chunks.Writer, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var staged = await WriteChunksAsync(chunks.Reader, stop.Token);
            await reading;
            return staged;
        }
        catch
        {
            await stop.CancelAsync();
            try
            {
                await reading;
            }
            catch (Exception)
            {
                // The writer's failure is the one to report.
            }

            throw;
        }
        finally
        {
            await copy.DisposeAsync();
        }
    }

    private void Read(BinaryCopyReader copy, ChannelWriter<(DateOnly, RowBuffer)> output, CancellationToken cancellationToken)
    {
        // Surveys and attribute values repeat from row to row; each distinct value becomes one string.
        var surveys = new TextCache();
        var attributeValues = _attributes.Select(_ => new TextCache()).ToArray();
        var open = new Dictionary<DateOnly, RowBuffer>();
        var lastRow = new Dictionary<DateOnly, long>();
        long bufferedText = 0;
        var segment = new string?[_segmentPositions.Length];
        var values = new string?[_attributes.Count];
        try
        {
            while (copy.NextRow())
            {
                cancellationToken.ThrowIfCancellationRequested();
                DateTime respondedAt = copy.ReadTimestamp();
                DateTime receivedAt = copy.ReadTimestamp();
                int score = copy.ReadInt16();
                double weight = copy.ReadNullableDouble() ?? 1;
                string surveyId = copy.ReadRequiredText(surveys);

                DateOnly date = _dates.DateOf(respondedAt);
                if (!open.TryGetValue(date, out var rows))
                {
                    if (_pool.TryTake(out rows))
                    {
                        Interlocked.Add(ref _pooledCapacity, -rows.Capacity);
                    }
                    else
                    {
                        rows = new RowBuffer(_columns);
                    }

                    open[date] = rows;
                }

                lastRow[date] = RowsWritten;

                // The response id, customer id and comment are copied from the reader's characters into the buffer's
                // text blocks, so no string is made per value. Survey ids and attribute values repeat, so they are shared.
                long textBefore = rows.TextLength;
                rows.CopyText(ResponseId, RequiredCharacters(copy, "response_id"));
                rows.CopyText(CustomerId, RequiredCharacters(copy, "customer_id"));
                if (copy.ReadCharacters(out var comment))
                {
                    rows.CopyText(Comment, comment);
                }
                else
                {
                    rows.SetText(Comment, null);
                }

                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = copy.ReadText(attributeValues[i]);
                    rows.SetText(FirstAttribute + i, values[i]);
                }

                rows.SetText(SurveyId, surveyId);
                rows.SetDate(ResponseDate, date);
                rows.SetTimestamp(RespondedAt, respondedAt);
                rows.SetTimestamp(ReceivedAt, receivedAt);
                rows.SetInt32(Score, score);
                rows.SetText(Category, CategoryName(score));
                rows.SetInt32(IsPromoter, score >= 9 ? 1 : 0);
                rows.SetInt32(IsPassive, score is 7 or 8 ? 1 : 0);
                rows.SetInt32(IsDetractor, score <= 6 ? 1 : 0);
                rows.SetDouble(Weight, weight);
                rows.EndRow();
                bufferedText += rows.TextLength - textBefore;

                for (int i = 0; i < segment.Length; i++)
                {
                    segment[i] = values[_segmentPositions[i]];
                }

                Daily.Add(date, surveyId, segment, score, weight);
                RowsWritten++;

                if (rows.Count >= _rowGroupRows || rows.TextLength >= RowGroupTextLimit)
                {
                    bufferedText -= rows.TextLength;
                    open.Remove(date);
                    Hand(output, date, rows, cancellationToken);
                }
                else if (bufferedText > BufferedTextBudget)
                {
                    var largest = open.MaxBy(pair => pair.Value.TextLength);
                    bufferedText -= largest.Value.TextLength;
                    open.Remove(largest.Key);
                    Hand(output, largest.Key, largest.Value, cancellationToken);
                }

                if (RowsWritten % IdleRows == 0)
                {
                    foreach (var idle in open.Where(pair => RowsWritten - lastRow[pair.Key] >= IdleRows).OrderBy(pair => pair.Key).ToList())
                    {
                        bufferedText -= idle.Value.TextLength;
                        open.Remove(idle.Key);
                        Hand(output, idle.Key, idle.Value, cancellationToken);
                    }
                }
            }

            foreach (var pair in open.OrderBy(p => p.Key))
            {
                Hand(output, pair.Key, pair.Value, cancellationToken);
            }

            output.Complete();
        }
        catch (Exception exception)
        {
            output.Complete(exception);
            throw;
        }
    }

    private static void Hand(ChannelWriter<(DateOnly, RowBuffer)> output, DateOnly date, RowBuffer rows, CancellationToken cancellationToken)
    {
        if (!output.TryWrite((date, rows)))
        {
            output.WriteAsync((date, rows), cancellationToken).AsTask().GetAwaiter().GetResult();
        }
    }

    private static ReadOnlySpan<char> RequiredCharacters(BinaryCopyReader copy, string column) =>
        copy.ReadCharacters(out var text) ? text : throw new InvalidDataException($"The column {column} of a response is NULL.");

    private static string CategoryName(int score)
    {
        if (score >= 9)
        {
            return "promoter";
        }

        return score >= 7 ? "passive" : "detractor";
    }

    private async Task<IReadOnlyList<StagedFile>> WriteChunksAsync(
        ChannelReader<(DateOnly Date, RowBuffer Rows)> input, CancellationToken cancellationToken)
    {
        var open = new Dictionary<DateOnly, (PartFileWriter File, long LastUse)>();
        var staged = new List<StagedFile>();
        long clock = 0;
        try
        {
            await foreach ((DateOnly date, RowBuffer rows) in input.ReadAllAsync(cancellationToken))
            {
                if (!open.TryGetValue(date, out var entry))
                {
                    if (open.Count >= OpenFileLimit)
                    {
                        var oldest = open.MinBy(pair => pair.Value.LastUse);
                        open.Remove(oldest.Key);
                        staged.Add(await oldest.Value.File.CompleteAsync());
                    }

                    entry = (await _files.CreateAsync(ExportTables.FactResponse, date, _columns, cancellationToken), 0);
                }

                await entry.File.WriteRowGroupAsync(rows, cancellationToken);
                if (Interlocked.Read(ref _pooledCapacity) + rows.Capacity <= 4L * _rowGroupRows)
                {
                    rows.Clear();
                    Interlocked.Add(ref _pooledCapacity, rows.Capacity);
                    _pool.Add(rows);
                }
                else
                {
                    rows.Release();
                }

                if (entry.File.RowGroups >= RowGroupsPerFile)
                {
                    open.Remove(date);
                    staged.Add(await entry.File.CompleteAsync());
                }
                else
                {
                    open[date] = (entry.File, ++clock);
                }
            }

            foreach (var pair in open.OrderBy(p => p.Key))
            {
                staged.Add(await pair.Value.File.CompleteAsync());
            }

            open.Clear();
            return staged;
        }
        finally
        {
            foreach (var pair in open)
            {
                await pair.Value.File.DisposeAsync();
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
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
    /// <summary>Text per row group, as <see cref="RowBuffer.TextLength"/> counts it: 64 MiB of UTF-8.</summary>
    public const long RowGroupTextLimit = 64L * 1024 * 1024;

    /// <summary>Text held in all partition buffers together before the largest is written early: 128 MiB of UTF-8.</summary>
    private const long BufferedTextBudget = 128L * 1024 * 1024;

    /// <summary>Text of the buffers queued for the writer: 128 MiB of UTF-8, as much as two full row groups.</summary>
    private const long QueuedTextLimit = 2 * RowGroupTextLimit;

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
    private readonly ConcurrentBag<RowBuffer> _pool = [];
    private long _pooledCapacity;

    private readonly RunFiles _files;
    private readonly IReadOnlyList<AttributeColumn> _attributes;
    private readonly int[] _segmentPositions;
    private readonly int _rowGroupRows;
    private readonly LocalDates _dates;
    private readonly ColumnSpec[] _columns;
    private readonly CustomerIdSet? _customerIds;
    private readonly TaskCompletionSource _rowsRead = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Prepares a writer.</summary>
    /// <param name="files">The run's files.</param>
    /// <param name="attributes">Attribute columns, in order; the COPY returns one value per column.</param>
    /// <param name="segmentKeys">Keys among <paramref name="attributes"/> whose values split the daily counts.</param>
    /// <param name="rowGroupRows">Rows per row group.</param>
    /// <param name="zone">Time zone of the partition dates.</param>
    /// <param name="customerIds">A set that collects the rows' customer ids, or null.</param>
    public FactTableWriter(
        RunFiles files, IReadOnlyList<AttributeColumn> attributes, IReadOnlyList<string> segmentKeys, int rowGroupRows, TimeZoneInfo zone,
        CustomerIdSet? customerIds = null)
    {
        _files = files;
        _customerIds = customerIds;
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

    /// <summary>
    /// Completes when <see cref="WriteAsync"/> has read the last row, before the writer has encoded the last row
    /// groups, so the customer ids are complete. It is cancelled when the rows could not all be read.
    /// </summary>
    public Task RowsRead => _rowsRead.Task;

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

    /// <summary>
    /// Copies the rows of <paramref name="selection"/> into staged files, on a connection of
    /// <paramref name="dataSource"/>, and returns them.
    /// </summary>
    public async Task<IReadOnlyList<StagedFile>> WriteAsync(
        NpgsqlDataSource dataSource, ResponseSelection selection, CancellationToken cancellationToken)
    {
        try
        {
            return await CopyAsync(dataSource, selection, cancellationToken);
        }
        finally
        {
            // Has no effect when the rows were read. Otherwise it cancels RowsRead, so a task waiting for it ends.
            _rowsRead.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task<IReadOnlyList<StagedFile>> CopyAsync(
        NpgsqlDataSource dataSource, ResponseSelection selection, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var copy = await ExportSource.OpenResponsesAsync(
            connection, selection, _attributes.Select(a => a.AttributeKey).ToList(), cancellationToken);
        string? onlySurvey = ExportSource.ReadsSurveyId(selection) ? null : selection.SurveyIds[0];
        using var chunks = new RowGroupQueue(QueuedTextLimit);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var cancelCopy = StatementCancellation.CancelOn(dataSource, connection, stop.Token);

        // Both sides run on threads of their own and block on the hand-over. The reader decodes synchronously, because
        // per-value async calls would cost more than the decoding. Parquet.Net's API is asynchronous, but over the
        // synchronous staged files every call completes at once, so the writer blocks on nothing else. On the thread
        // pool, a profile showed idle workers spinning between row groups, which took CPU from the reader and PostgreSQL.
        var reading = Task.Factory.StartNew(
            () => Read(copy, onlySurvey, chunks, stop), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var writing = Task.Factory.StartNew(
            () => WriteChunksAsync(chunks, stop).GetAwaiter().GetResult(), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await Task.WhenAll(reading, writing);
            return writing.Result;
        }
        catch
        {
            // The side that failed first stopped the other, which then ended with a cancellation: report the first.
            if (new[] { reading, writing }.Select(t => t.Exception?.InnerException)
                    .FirstOrDefault(e => e is not null and not OperationCanceledException) is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }
        finally
        {
            await cancelCopy.DisposeAsync();
            await copy.DisposeAsync();
        }
    }

    // onlySurvey is the survey of every row when the COPY leaves survey_id out.
    private void Read(BinaryCopyReader copy, string? onlySurvey, RowGroupQueue output, CancellationTokenSource stop)
    {
        var cancellationToken = stop.Token;
        // Surveys and attribute values repeat from row to row; each distinct value becomes one string.
        var surveys = new TextCache();
        var attributeValues = _attributes.Select(_ => new TextCache()).ToArray();
        var open = new Dictionary<DateOnly, Partition>();
        long bufferedText = 0;
        var segment = new string?[_segmentPositions.Length];
        var values = new string?[_attributes.Count];

        // Rows mostly arrive in time order, so most rows go to the same partition as the row before.
        Partition? current = null;
        try
        {
            while (copy.NextRow())
            {
                cancellationToken.ThrowIfCancellationRequested();
                DateTime respondedAt = copy.ReadTimestamp();
                DateTime receivedAt = copy.ReadTimestamp();
                int score = copy.ReadInt16();
                double weight = copy.ReadNullableDouble() ?? 1;
                string surveyId = onlySurvey ?? copy.ReadRequiredText(surveys);

                DateOnly date = _dates.DateOf(respondedAt);
                if (current is null || current.Date != date)
                {
                    current = open.GetValueOrDefault(date) ?? Open(open, date);
                }

                current.LastRow = RowsWritten;
                var rows = current.Rows;

                // The response id, customer id and comment are copied as UTF-8 into the buffer's blocks, so no string is
                // made per value. Survey ids and attribute values repeat, so they are shared strings.
                long textBefore = rows.TextLength;
                rows.CopyUtf8(ResponseId, RequiredBytes(copy, "response_id"));
                var customerId = RequiredBytes(copy, "customer_id");
                rows.CopyUtf8(CustomerId, customerId);
                _customerIds?.Add(customerId);
                if (copy.ReadBytes(out var comment))
                {
                    rows.CopyUtf8(Comment, comment);
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

                current.Group(Daily, surveyId, segment).Add(score, weight);
                RowsWritten++;

                if (rows.Count >= _rowGroupRows || rows.TextLength >= RowGroupTextLimit)
                {
                    bufferedText -= rows.TextLength;
                    open.Remove(date);
                    current = null;
                    Hand(output, date, rows, cancellationToken);
                }
                else if (bufferedText > BufferedTextBudget)
                {
                    var largest = open.Values.MaxBy(p => p.Rows.TextLength)!;
                    bufferedText -= largest.Rows.TextLength;
                    open.Remove(largest.Date);
                    current = null;
                    Hand(output, largest.Date, largest.Rows, cancellationToken);
                }

                if (RowsWritten % IdleRows == 0)
                {
                    foreach (var idle in open.Values.Where(p => RowsWritten - p.LastRow >= IdleRows).OrderBy(p => p.Date).ToList())
                    {
                        bufferedText -= idle.Rows.TextLength;
                        open.Remove(idle.Date);
                        Hand(output, idle.Date, idle.Rows, cancellationToken);
                    }

                    current = null;
                }
            }

            foreach (var partition in open.Values.OrderBy(p => p.Date))
            {
                Hand(output, partition.Date, partition.Rows, cancellationToken);
            }

            output.CompleteAdding();
            _rowsRead.TrySetResult();
        }
        catch (Exception exception) when (StatementCancellation.IsCancelledBy(exception, cancellationToken))
        {
            // The run or the writer stopped, so the cancelled COPY counts as a cancellation, not as a failure of its own.
            throw new OperationCanceledException("The fact COPY was cancelled.", exception, cancellationToken);
        }
        catch
        {
            stop.Cancel();
            throw;
        }
    }

    // Starts the buffer of a date, from the pool of emptied buffers when it has one.
    private Partition Open(Dictionary<DateOnly, Partition> open, DateOnly date)
    {
        if (_pool.TryTake(out var rows))
        {
            Interlocked.Add(ref _pooledCapacity, -rows.Capacity);
        }
        else
        {
            rows = new RowBuffer(_columns);
        }

        var partition = new Partition(date, rows);
        open[date] = partition;
        return partition;
    }

    private static void Hand(RowGroupQueue output, DateOnly date, RowBuffer rows, CancellationToken cancellationToken) =>
        output.Add(date, rows, cancellationToken);

    private static ReadOnlySpan<byte> RequiredBytes(BinaryCopyReader copy, string column) =>
        copy.ReadBytes(out var bytes) ? bytes : throw new InvalidDataException($"The column {column} of a response is NULL.");

    private static string CategoryName(int score)
    {
        if (score >= 9)
        {
            return "promoter";
        }

        return score >= 7 ? "passive" : "detractor";
    }

    /// <summary>The buffer of one date's rows, and the run's row count when it last received a row.</summary>
    private sealed class Partition(DateOnly date, RowBuffer rows)
    {
        private const int GroupLimit = 16;

        // Daily count groups this date's rows went to, found by reference: survey ids and segment values come from
        // text caches, which return the same string for a repeated value, so a short scan replaces hashing them.
        private readonly List<(string Survey, string?[] Segment, DailyAccumulator.Sums Sums)> _groups = [];

        public DateOnly Date { get; } = date;

        public RowBuffer Rows { get; } = rows;

        public long LastRow { get; set; }

        public DailyAccumulator.Sums Group(DailyAccumulator daily, string survey, string?[] segment)
        {
            foreach (var group in _groups)
            {
                if (ReferenceEquals(group.Survey, survey) && SameStrings(group.Segment, segment))
                {
                    return group.Sums;
                }
            }

            // Equal values in other string instances find the same sums through the accumulator, which compares values.
            var sums = daily.Group(Date, survey, segment);
            if (_groups.Count < GroupLimit)
            {
                _groups.Add((survey, (string?[])segment.Clone(), sums));
            }

            return sums;
        }

        private static bool SameStrings(string?[] first, string?[] second)
        {
            for (int i = 0; i < first.Length; i++)
            {
                if (!ReferenceEquals(first[i], second[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private async Task<IReadOnlyList<StagedFile>> WriteChunksAsync(
        RowGroupQueue input, CancellationTokenSource stop)
    {
        var cancellationToken = stop.Token;
        var open = new Dictionary<DateOnly, (PartFileWriter File, long LastUse)>();
        var staged = new List<StagedFile>();
        long clock = 0;
        try
        {
            foreach ((DateOnly date, RowBuffer rows) in input.Take(cancellationToken))
            {
                if (!open.TryGetValue(date, out var entry))
                {
                    if (open.Count >= OpenFileLimit)
                    {
                        var oldest = open.MinBy(pair => pair.Value.LastUse);
                        open.Remove(oldest.Key);
                        staged.Add(await oldest.Value.File.CompleteAsync());
                    }

                    // Listed before its first write, so the file is closed if that write fails.
                    entry = (await _files.CreateAsync(ExportTables.FactResponse, date, _columns, cancellationToken), 0);
                    open[date] = entry;
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
        catch
        {
            await stop.CancelAsync();
            throw;
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

using NpsGrpc.Exports.Parquet;
using NpsGrpc.Exports.Runs;

namespace NpsGrpc.Exports.Tests;

/// <summary>The queue between the fact reader and the fact writer, bounded by the text of its buffers.</summary>
public sealed class RowGroupQueueTests
{
    private static readonly DateOnly Day = new(2026, 6, 1);

    [Fact]
    public async Task PastTextLimit_WaitsForTake()
    {
        using var queue = new RowGroupQueue(textLimit: 100);
        queue.Add(Day, Buffer(60), CancellationToken.None);
        queue.Add(Day.AddDays(1), Buffer(40), CancellationToken.None);

        // 60 + 40 + 10 passes the limit, so the third buffer waits until the writer takes the first.
        var third = Task.Run(() => queue.Add(Day.AddDays(2), Buffer(10), CancellationToken.None));
        await Task.Delay(300);
        Assert.False(third.IsCompleted);

        using var writer = queue.Take(CancellationToken.None).GetEnumerator();
        Assert.True(writer.MoveNext());
        Assert.Equal(Day, writer.Current.Date);
        await third.WaitAsync(TimeSpan.FromSeconds(10));

        queue.CompleteAdding();
        Assert.True(writer.MoveNext());
        Assert.Equal(Day.AddDays(1), writer.Current.Date);
        Assert.True(writer.MoveNext());
        Assert.Equal(Day.AddDays(2), writer.Current.Date);
        Assert.False(writer.MoveNext());
    }

    [Fact]
    public void LargeBufferIntoEmptyQueue_Accepted()
    {
        using var queue = new RowGroupQueue(textLimit: 100);
        queue.Add(Day, Buffer(500), CancellationToken.None);
        queue.CompleteAdding();

        Assert.Equal(500, Assert.Single(queue.Take(CancellationToken.None)).Rows.TextLength);
    }

    [Fact]
    public async Task WaitingAdd_EndsOnCancellation()
    {
        using var queue = new RowGroupQueue(textLimit: 100);
        queue.Add(Day, Buffer(90), CancellationToken.None);
        using var stop = new CancellationTokenSource();

        var second = Task.Run(() => queue.Add(Day.AddDays(1), Buffer(20), stop.Token));
        await Task.Delay(100);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    // A buffer with one row whose text column has the given number of ASCII characters.
    private static RowBuffer Buffer(int textLength)
    {
        var rows = new RowBuffer([new ColumnSpec("comment", ColumnKind.Text)]);
        rows.SetText(0, new string('x', textLength));
        rows.EndRow();
        return rows;
    }
}

using System.Collections.Concurrent;
using NpsGrpc.Exports.Parquet;

namespace NpsGrpc.Exports.Runs;

/// <summary>
/// Row buffers on their way from the reader to the writer, bounded by their text instead of their number. When
/// dates go quiet, the reader hands over several small buffers at once. A queue of two buffers then made it wait
/// for the writer, about 3 s in a run of 10,000,000 rows, while PostgreSQL waited for the reader and a core idled.
/// </summary>
/// <param name="textLimit">Maximum text of the queued buffers, as <see cref="RowBuffer.TextLength"/> counts it.</param>
public sealed class RowGroupQueue(long textLimit) : IDisposable
{
    private readonly BlockingCollection<(DateOnly Date, RowBuffer Rows, long Text)> _items = [];
    private readonly object _gate = new();
    private long _queuedText;

    /// <summary>
    /// Queues a buffer, first waiting while the queued text and the buffer's would pass the limit. A buffer goes
    /// into an empty queue whatever its text.
    /// </summary>
    public void Add(DateOnly date, RowBuffer rows, CancellationToken cancellationToken)
    {
        long text = rows.TextLength;
        lock (_gate)
        {
            while (_queuedText > 0 && _queuedText + text > textLimit)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Waits in short steps, so that a cancellation ends the wait without a signal of its own.
                Monitor.Wait(_gate, 50);
            }

            _queuedText += text;
        }

        _items.Add((date, rows, text), cancellationToken);
    }

    /// <summary>Marks that no more buffers come.</summary>
    public void CompleteAdding() => _items.CompleteAdding();

    /// <summary>Takes the buffers in order until the reader completes, making room for more as each is taken.</summary>
    public IEnumerable<(DateOnly Date, RowBuffer Rows)> Take(CancellationToken cancellationToken)
    {
        foreach ((DateOnly date, RowBuffer rows, long text) in _items.GetConsumingEnumerable(cancellationToken))
        {
            lock (_gate)
            {
                _queuedText -= text;
                Monitor.PulseAll(_gate);
            }

            yield return (date, rows);
        }
    }

    /// <summary>Releases the queue's wait handles.</summary>
    public void Dispose() => _items.Dispose();
}

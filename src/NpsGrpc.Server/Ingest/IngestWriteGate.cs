namespace NpsGrpc.Server.Ingest;

/// <summary>
/// Limits how many ingest batches write to the database at once. A batch beyond the limit waits here for as long as
/// its call lasts, instead of waiting in Npgsql's pool, which fails the call after the connection timeout. The limit
/// stays below the pool size, so queries, health checks and exports still get connections while ingest is saturated.
/// </summary>
public sealed class IngestWriteGate
{
    private readonly SemaphoreSlim _slots;

    /// <summary>Creates a gate that lets <paramref name="maxConcurrentWrites"/> batches write at once.</summary>
    public IngestWriteGate(int maxConcurrentWrites)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentWrites, 1);
        MaxConcurrentWrites = maxConcurrentWrites;
        _slots = new SemaphoreSlim(maxConcurrentWrites, maxConcurrentWrites);
    }

    /// <summary>Number of batches that may write at once.</summary>
    public int MaxConcurrentWrites { get; }

    /// <summary>Waits for a free slot, runs <paramref name="write"/> and frees the slot.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await write();
        }
        finally
        {
            _slots.Release();
        }
    }
}

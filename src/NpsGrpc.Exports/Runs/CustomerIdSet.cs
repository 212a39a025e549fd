using System.Buffers;

namespace NpsGrpc.Exports.Runs;

/// <summary>
/// The distinct customer ids of a run's fact rows, as UTF-8, collected while the rows are read. A run that reads every
/// response of its surveys builds its customer dimension from this set instead of a second scan of the responses.
/// The set stops collecting and frees its memory once its estimated size passes a limit. The run then reads the ids
/// from the database after all.
/// </summary>
/// <remarks>
/// Not thread-safe: one thread adds the ids, and the set is read after that thread has finished.
/// </remarks>
public sealed class CustomerIdSet
{
    /// <summary>
    /// Estimated bytes per id besides its text: a dictionary entry with its bucket, and the spare capacity that the
    /// dictionary keeps after growing.
    /// </summary>
    public const int EntryOverhead = 72;

    // Bytes per block of id text: below the large object heap threshold, so blocks come from and go to the pool.
    private const int BlockBytes = 64 * 1024;

    private readonly long _memoryLimit;
    private readonly List<byte[]> _blocks = [];
    private Dictionary<ReadOnlyMemory<byte>, bool>? _claimed;
    private byte[]? _block;
    private int _blockUsed;

    /// <summary>Creates an empty set that gives up past <paramref name="memoryLimit"/> estimated bytes.</summary>
    public CustomerIdSet(long memoryLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryLimit);
        _memoryLimit = memoryLimit;
        _claimed = new Dictionary<ReadOnlyMemory<byte>, bool>(new BytesComparer(this));
    }

    /// <summary>Estimated memory in use, in bytes.</summary>
    public long EstimatedBytes { get; private set; }

    /// <summary>Whether the set passed its memory limit and no longer contains the ids.</summary>
    public bool Overflowed => _claimed is null;

    /// <summary>Number of distinct ids.</summary>
    public int Count => _claimed?.Count ?? 0;

    /// <summary>Adds <paramref name="id"/> unless the set has it, or has overflowed.</summary>
    public void Add(ReadOnlySpan<byte> id)
    {
        if (_claimed is null || !_claimed.GetAlternateLookup<ReadOnlySpan<byte>>().TryAdd(id, false))
        {
            return;
        }

        EstimatedBytes += EntryOverhead + id.Length;
        if (EstimatedBytes > _memoryLimit)
        {
            Release();
        }
    }

    /// <summary>
    /// Marks <paramref name="id"/> as written and returns true, or returns false when the set does not have it or it
    /// was already marked.
    /// </summary>
    public bool TryClaim(ReadOnlySpan<byte> id)
    {
        if (_claimed is null)
        {
            throw new InvalidOperationException("The set overflowed and has no ids.");
        }

        var lookup = _claimed.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.TryGetValue(id, out bool claimed) || claimed)
        {
            return false;
        }

        lookup[id] = true;
        return true;
    }

    /// <summary>The ids that <see cref="TryClaim"/> has not marked, in no particular order.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Unclaimed()
    {
        if (_claimed is null)
        {
            throw new InvalidOperationException("The set overflowed and has no ids.");
        }

        foreach (var (id, claimed) in _claimed)
        {
            if (!claimed)
            {
                yield return id;
            }
        }
    }

    /// <summary>Drops the ids and returns the text blocks to the shared pool. The set counts as overflowed after.</summary>
    public void Release()
    {
        _claimed = null;
        foreach (var block in _blocks)
        {
            ArrayPool<byte>.Shared.Return(block);
        }

        _blocks.Clear();
        _block = null;
        EstimatedBytes = 0;
    }

    // Copies a new id into the current block, or into a new one when it is full. An id longer than a quarter block gets
    // an array of its own.
    private ReadOnlyMemory<byte> Store(ReadOnlySpan<byte> id)
    {
        if (id.Length > BlockBytes / 4)
        {
            return id.ToArray();
        }

        if (_block is null || _blockUsed + id.Length > _block.Length)
        {
            _block = ArrayPool<byte>.Shared.Rent(BlockBytes);
            _blocks.Add(_block);
            _blockUsed = 0;
        }

        var stored = _block.AsMemory(_blockUsed, id.Length);
        id.CopyTo(stored.Span);
        _blockUsed += id.Length;
        return stored;
    }

    // Compares ids by their bytes. The alternate key lets the reader look an id up in the COPY's buffer, so only a new
    // id is copied.
    private sealed class BytesComparer(CustomerIdSet set) :
        IEqualityComparer<ReadOnlyMemory<byte>>, IAlternateEqualityComparer<ReadOnlySpan<byte>, ReadOnlyMemory<byte>>
    {
        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> obj) => GetHashCode(obj.Span);

        public bool Equals(ReadOnlySpan<byte> alternate, ReadOnlyMemory<byte> other) => alternate.SequenceEqual(other.Span);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public ReadOnlyMemory<byte> Create(ReadOnlySpan<byte> alternate) => set.Store(alternate);
    }
}

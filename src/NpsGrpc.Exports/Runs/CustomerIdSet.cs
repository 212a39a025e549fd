using System.Buffers;
using System.Buffers.Binary;

namespace NpsGrpc.Exports.Runs;

/// <summary>
/// The distinct customer ids of a run's fact rows, as UTF-8, collected while the rows are read. A run that reads every
/// response of its surveys builds its customer dimension from this set instead of a second scan of the responses.
/// The set stops collecting and frees its memory once its size would pass a limit. The run then reads the ids from the
/// database after all.
/// </summary>
/// <remarks>
/// <para>
/// An open-addressing table of 8-byte slots, each with the id's hash, a written mark and the position of its bytes in
/// pooled 1 MiB blocks. A lookup of a known id reads one slot and the id's bytes, two cache misses in a table of
/// millions, where a <see cref="Dictionary{TKey,TValue}"/> reads a bucket, an entry and the bytes.
/// </para>
/// <para>Not thread-safe: one thread adds the ids, and the set is read after that thread has finished.</para>
/// </remarks>
public sealed class CustomerIdSet
{
    private const int BlockBytes = 1024 * 1024;
    private const int InitialSlots = 1 << 16;
    private const ulong WrittenMark = 1UL << 31;
    private const uint PositionMask = (1U << 31) - 1;

    // Maximum id length kept, in bytes, so that a stored id and its 2-byte length always fit in one block.
    private const int MaxIdBytes = 4096;

    private readonly long _memoryLimit;
    private readonly List<byte[]> _blocks = [];
    private ulong[]? _slots = new ulong[InitialSlots];
    private int _blockUsed = BlockBytes;

    /// <summary>Creates an empty set that gives up when its memory would pass <paramref name="memoryLimit"/> bytes.</summary>
    /// <param name="memoryLimit">Bytes of slots and blocks, at most 1 GiB, because a slot holds a 31-bit position.</param>
    public CustomerIdSet(long memoryLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryLimit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memoryLimit, 1L << 30);
        _memoryLimit = memoryLimit;
    }

    /// <summary>Bytes of slots and id blocks in use.</summary>
    public long MemoryBytes => (_slots?.LongLength ?? 0) * sizeof(ulong) + (long)_blocks.Count * BlockBytes;

    /// <summary>Whether the set passed its memory limit, or met an overlong id, and no longer contains the ids.</summary>
    public bool Overflowed => _slots is null;

    /// <summary>Number of distinct ids.</summary>
    public int Count { get; private set; }

    /// <summary>Adds <paramref name="id"/> unless the set has it, or has overflowed.</summary>
    public void Add(ReadOnlySpan<byte> id)
    {
        if (_slots is null)
        {
            return;
        }

        uint hash = Hash(id);
        int slot = Find(_slots, id, hash);
        if (_slots[slot] != 0)
        {
            return;
        }

        if (id.Length > MaxIdBytes || !TryStore(id, out uint position))
        {
            Release();
            return;
        }

        _slots[slot] = ((ulong)hash << 32) | position;
        Count++;
        if (Count > _slots.Length / 10 * 7 && !TryGrow())
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
        var slots = _slots ?? throw new InvalidOperationException("The set overflowed and has no ids.");
        int slot = Find(slots, id, Hash(id));
        if (slots[slot] == 0 || (slots[slot] & WrittenMark) != 0)
        {
            return false;
        }

        slots[slot] |= WrittenMark;
        return true;
    }

    /// <summary>The ids that <see cref="TryClaim"/> has not marked, in no particular order.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Unclaimed()
    {
        var slots = _slots ?? throw new InvalidOperationException("The set overflowed and has no ids.");
        foreach (ulong slot in slots)
        {
            if (slot != 0 && (slot & WrittenMark) == 0)
            {
                yield return Stored(slot);
            }
        }
    }

    /// <summary>Drops the ids and returns the blocks to the shared pool. The set counts as overflowed after.</summary>
    public void Release()
    {
        _slots = null;
        Count = 0;
        foreach (var block in _blocks)
        {
            ArrayPool<byte>.Shared.Return(block);
        }

        _blocks.Clear();
    }

    private static uint Hash(ReadOnlySpan<byte> id)
    {
        var hash = new HashCode();
        hash.AddBytes(id);
        return (uint)hash.ToHashCode();
    }

    // Returns the slot that contains id, or the empty slot where it belongs. Linear probing keeps the neighbours of a
    // slot in its cache line.
    private int Find(ulong[] slots, ReadOnlySpan<byte> id, uint hash)
    {
        int mask = slots.Length - 1;
        for (int index = (int)(hash & (uint)mask); ; index = (index + 1) & mask)
        {
            ulong slot = slots[index];
            if (slot == 0 || ((uint)(slot >> 32) == hash && Stored(slot).Span.SequenceEqual(id)))
            {
                return index;
            }
        }
    }

    // The id bytes of a slot: a 2-byte length, then the bytes, at the slot's position in the blocks.
    private ReadOnlyMemory<byte> Stored(ulong slot)
    {
        uint position = (uint)slot & PositionMask;
        var block = _blocks[(int)(position / BlockBytes)];
        int offset = (int)(position % BlockBytes);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(offset));
        return block.AsMemory(offset + 2, length);
    }

    // Copies id behind its length into the current block, or a new one, and returns its position. Position 0 is never
    // used, so that an empty slot is 0.
    private bool TryStore(ReadOnlySpan<byte> id, out uint position)
    {
        position = 0;
        if (_blockUsed + 2 + id.Length > BlockBytes)
        {
            if (MemoryBytes + BlockBytes > _memoryLimit)
            {
                return false;
            }

            _blocks.Add(ArrayPool<byte>.Shared.Rent(BlockBytes));
            _blockUsed = _blocks.Count == 1 ? 1 : 0;
        }

        var block = _blocks[^1];
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(_blockUsed), (ushort)id.Length);
        id.CopyTo(block.AsSpan(_blockUsed + 2));
        position = (uint)((_blocks.Count - 1) * (long)BlockBytes + _blockUsed);
        _blockUsed += 2 + id.Length;
        return true;
    }

    // Doubles the slots, placing each id by its stored hash, unless that would pass the memory limit.
    private bool TryGrow()
    {
        var old = _slots!;
        if (MemoryBytes + old.LongLength * 2 * sizeof(ulong) > _memoryLimit)
        {
            return false;
        }

        var slots = new ulong[old.Length * 2];
        int mask = slots.Length - 1;
        foreach (ulong slot in old)
        {
            if (slot == 0)
            {
                continue;
            }

            int index = (int)((uint)(slot >> 32) & (uint)mask);
            while (slots[index] != 0)
            {
                index = (index + 1) & mask;
            }

            slots[index] = slot;
        }

        _slots = slots;
        return true;
    }
}

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Npgsql;

namespace NpsGrpc.Storage.Exports;

/// <summary>
/// Decodes the rows of a <c>COPY ... TO STDOUT (FORMAT BINARY)</c> from the raw COPY stream, field by field, in the
/// order of the statement's columns. Npgsql's typed exporter resolves a converter and checks its state for every
/// value. The export selects only a few column types, so it decodes them itself from the raw COPY stream. Text in low-cardinality columns can go through a
/// <see cref="TextCache"/>, which returns the same string instance for repeated values instead of a new one per row.
/// Not thread-safe: one thread reads a COPY from start to end.
/// </summary>
public sealed class BinaryCopyReader : IAsyncDisposable
{
    private const int InitialBufferSize = 256 * 1024;

    // Microseconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01 00:00 UTC.
    private const long PostgreSqlEpochMicroseconds = 946_684_800_000_000;

    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    private readonly Stream _stream;
    private readonly NpgsqlRawCopyStream? _copy;
    private byte[] _buffer = new byte[InitialBufferSize];
    private char[] _characters = new char[256];
    private int _position;
    private int _end;
    private int _fieldsLeft;
    private bool _started;
    private bool _finished;

    /// <summary>Reads the COPY data in <paramref name="stream"/>, starting at its header.</summary>
    public BinaryCopyReader(Stream stream)
    {
        _stream = stream;
        _copy = stream as NpgsqlRawCopyStream;
    }

    /// <summary>Moves to the next row. Returns false at the end of the data, after which the COPY is complete.</summary>
    /// <exception cref="InvalidOperationException">The previous row has fields that were not read.</exception>
    /// <exception cref="InvalidDataException">The data is not binary COPY data.</exception>
    public bool NextRow()
    {
        if (_finished)
        {
            return false;
        }

        if (!_started)
        {
            ReadHeader();
            _started = true;
        }

        if (_fieldsLeft != 0)
        {
            throw new InvalidOperationException($"The previous row still has {_fieldsLeft} fields to read.");
        }

        Ensure(2);
        short fields = BinaryPrimitives.ReadInt16BigEndian(_buffer.AsSpan(_position));
        _position += 2;
        if (fields == -1)
        {
            _finished = true;
            return false;
        }

        if (fields < 0)
        {
            throw new InvalidDataException($"A row of the COPY data has {fields} fields.");
        }

        _fieldsLeft = fields;
        return true;
    }

    /// <summary>Reads a text field, or null for NULL. Through <paramref name="cache"/>, repeated values share one string.</summary>
    public string? ReadText(TextCache? cache = null)
    {
        if (!NextField(out var bytes))
        {
            return null;
        }

        if (cache is null)
        {
            return bytes.Length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes);
        }

        return cache.TryGetByBytes(bytes, out string? known) ? known : cache.Get(bytes, Decode(bytes));
    }

    /// <summary>
    /// Reads a field's raw bytes, UTF-8 for a text field, without decoding them: <paramref name="bytes"/> is valid until
    /// the next read. Returns false for NULL.
    /// </summary>
    public bool ReadBytes(out ReadOnlySpan<byte> bytes) => NextField(out bytes);

    /// <summary>Reads a text field that is never NULL.</summary>
    public string ReadRequiredText(TextCache? cache = null) =>
        ReadText(cache) ?? throw new InvalidDataException("A text field that cannot be NULL is NULL.");

    /// <summary>Reads a <c>smallint</c> field that is never NULL.</summary>
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(RequiredField(2));

    /// <summary>Reads a <c>double precision</c> field, or null for NULL.</summary>
    public double? ReadNullableDouble() =>
        NextField(out var bytes) ? BinaryPrimitives.ReadDoubleBigEndian(Sized(bytes, 8)) : null;

    /// <summary>Reads a <c>timestamptz</c> field that is never NULL, as a UTC <see cref="DateTime"/>.</summary>
    /// <exception cref="InvalidDataException">The value is infinity or outside the range of <see cref="DateTime"/>.</exception>
    public DateTime ReadTimestamp() => ToDateTime(RequiredField(8));

    /// <summary>Reads a <c>timestamptz</c> field as a UTC <see cref="DateTime"/>, or null for NULL.</summary>
    /// <exception cref="InvalidDataException">The value is infinity or outside the range of <see cref="DateTime"/>.</exception>
    public DateTime? ReadNullableTimestamp() => NextField(out var bytes) ? ToDateTime(Sized(bytes, 8)) : null;

    /// <summary>Stops the COPY on the server when it has not been read to the end, then releases the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_copy is not null && !_finished)
        {
            try
            {
                await _copy.CancelAsync();
            }
            catch (Exception exception) when (exception is NpgsqlException or PostgresException or IOException or OperationCanceledException)
            {
                // The COPY was given up; the connection reports its own state when it is used again.
            }
            catch (ObjectDisposedException)
            {
                // The COPY already ended with an error, such as a cancel request, so there is nothing to stop.
            }
        }

        await _stream.DisposeAsync();
    }

    private void ReadHeader()
    {
        Ensure(Signature.Length + 8);
        if (!_buffer.AsSpan(_position, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException("The COPY data does not start with the binary COPY signature.");
        }

        _position += Signature.Length + 4;
        int extension = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_position));
        _position += 4;
        if (extension < 0)
        {
            throw new InvalidDataException($"The binary COPY header has an extension of {extension} bytes.");
        }

        Ensure(extension);
        _position += extension;
    }

    // UTF-8 never takes fewer bytes than UTF-16 code units, so a buffer as long as the bytes always suffices.
    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> bytes)
    {
        if (_characters.Length < bytes.Length)
        {
            _characters = new char[Math.Max(bytes.Length, _characters.Length * 2)];
        }

        int length = Encoding.UTF8.GetChars(bytes, _characters);
        return _characters.AsSpan(0, length);
    }

    private static DateTime ToDateTime(ReadOnlySpan<byte> bytes)
    {
        long micros = BinaryPrimitives.ReadInt64BigEndian(bytes);
        long ticks = (micros + PostgreSqlEpochMicroseconds) * TimeSpan.TicksPerMicrosecond + DateTime.UnixEpoch.Ticks;
        if (micros is long.MaxValue or long.MinValue || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            throw new InvalidDataException($"The timestamp {micros} µs from 2000-01-01 cannot be represented.");
        }

        return new DateTime(ticks, DateTimeKind.Utc);
    }

    private ReadOnlySpan<byte> RequiredField(int size) =>
        NextField(out var bytes) ? Sized(bytes, size) : throw new InvalidDataException("A field that cannot be NULL is NULL.");

    private static ReadOnlySpan<byte> Sized(ReadOnlySpan<byte> bytes, int size) =>
        bytes.Length == size ? bytes : throw new InvalidDataException($"A field of {size} bytes has {bytes.Length}.");

    // Returns false for NULL, or the next field's bytes, valid until the next read. A field that lies whole in the
    // buffer, the common case, takes one length test. Other fields go through NextFieldFilling, which fills the buffer.
    private bool NextField(out ReadOnlySpan<byte> bytes)
    {
        int available = _end - _position;
        if (_fieldsLeft > 0 && available >= 4)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_position));
            if ((uint)length <= (uint)(available - 4))
            {
                _fieldsLeft--;
                bytes = _buffer.AsSpan(_position + 4, length);
                _position += 4 + length;
                return true;
            }
        }

        return NextFieldFilling(out bytes);
    }

    private bool NextFieldFilling(out ReadOnlySpan<byte> bytes)
    {
        if (_fieldsLeft == 0)
        {
            throw new InvalidOperationException("The row has no more fields.");
        }

        _fieldsLeft--;
        Ensure(4);
        int length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_position));
        _position += 4;
        if (length < 0)
        {
            bytes = default;
            return false;
        }

        Ensure(length);
        bytes = _buffer.AsSpan(_position, length);
        _position += length;
        return true;
    }

    // Makes at least count unread bytes available in the buffer, growing it for a field larger than the buffer.
    private void Ensure(int count)
    {
        if (_end - _position < count)
        {
            Fill(count);
        }
    }

    private void Fill(int count)
    {
        int available = _end - _position;
        if (count > _buffer.Length)
        {
            var larger = new byte[Math.Max(count, _buffer.Length * 2)];
            _buffer.AsSpan(_position, available).CopyTo(larger);
            _buffer = larger;
        }
        else
        {
            _buffer.AsSpan(_position, available).CopyTo(_buffer);
        }

        _position = 0;
        _end = available;
        while (_end < count)
        {
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                throw new InvalidDataException("The COPY data ended in the middle of a row.");
            }

            _end += read;
        }
    }
}

/// <summary>
/// Strings of a low-cardinality column, so that each distinct value is allocated once. It keeps a fixed number of
/// values at most. Past that, new values are returned as new strings and not kept.
/// </summary>
/// <param name="capacity">Maximum number of values kept.</param>
public sealed class TextCache(int capacity = 4096)
{
    // The first distinct values are also kept as their UTF-8 bytes. A value among them is found by comparing a few
    // bytes, without decoding or hashing it, which is the common case for segments, channels and survey ids.
    private const int ByteKeyed = 8;

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly byte[][] _firstBytes = new byte[ByteKeyed][];
    private readonly string[] _firstValues = new string[ByteKeyed];
    private int _firstCount;

    /// <summary>Returns the string equal to <paramref name="characters"/>.</summary>
    public string Get(ReadOnlySpan<char> characters)
    {
        var lookup = _values.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(characters, out string? value))
        {
            return value;
        }

        value = new string(characters);
        if (_values.Count < capacity)
        {
            _values.Add(value, value);
        }

        return value;
    }

    /// <summary>
    /// Finds the string that the UTF-8 bytes <paramref name="utf8"/> encode among the first values, by comparing bytes.
    /// Returns false when they are not among them.
    /// </summary>
    public bool TryGetByBytes(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out string? value)
    {
        for (int i = 0; i < _firstCount; i++)
        {
            if (utf8.SequenceEqual(_firstBytes[i]))
            {
                value = _firstValues[i];
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Returns the string equal to <paramref name="characters"/>, the decoded form of <paramref name="utf8"/>, and
    /// keeps the bytes of a new value while there is room among the first values.
    /// </summary>
    public string Get(ReadOnlySpan<byte> utf8, ReadOnlySpan<char> characters)
    {
        string value = Get(characters);
        if (_firstCount < ByteKeyed && !TryGetByBytes(utf8, out _))
        {
            _firstBytes[_firstCount] = utf8.ToArray();
            _firstValues[_firstCount] = value;
            _firstCount++;
        }

        return value;
    }
}

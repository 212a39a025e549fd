using System.Text;
using Npgsql;
using NpsGrpc.Storage.Exports;
using NpsGrpc.Testing;

namespace NpsGrpc.Exports.Tests;

/// <summary>
/// The decoder of binary COPY data, over bytes that PostgreSQL produced, delivered in pieces of every size so that
/// fields start and end at every place relative to the reader's buffer.
/// </summary>
public sealed class BinaryCopyReaderTests : IAsyncLifetime
{
    // Rows of each kind of value the export reads: NULLs, empty text, multi-byte text, a field larger than the reader's
    // first buffer of 256 KiB, negative and pre-2000 instants.
    private const string Query =
        """
        SELECT g::smallint,
               CASE WHEN g % 3 = 0 THEN NULL ELSE g * 0.25 END::double precision,
               timestamptz '1999-12-31 23:59:59.999999+00' + (g - 20) * interval '1 hour 1 microsecond',
               CASE WHEN g % 5 = 0 THEN NULL WHEN g % 5 = 1 THEN '' ELSE repeat('é€😀', g) END,
               CASE WHEN g = 7 THEN repeat('x', 300000) ELSE 'id-' || g END
        FROM generate_series(1, 40) g
        """;

    private TestDatabase? _database;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync("nps_copy_reader");

    public async Task DisposeAsync() => await (_database?.DisposeAsync() ?? ValueTask.CompletedTask);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(int.MaxValue)]
    public async Task PiecesOfAnySize_DecodeEveryField(int pieceBytes)
    {
        byte[] data = await CopyBytesAsync();
        await using var reader = new BinaryCopyReader(new PieceStream(data, pieceBytes));

        int rows = 0;
        while (reader.NextRow())
        {
            int g = ++rows;
            Assert.Equal(g, reader.ReadInt16());
            Assert.Equal(g % 3 == 0 ? null : g * 0.25, reader.ReadNullableDouble());
            var expectedInstant = new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990)
                .AddHours(g - 20).AddTicks((g - 20) * TimeSpan.TicksPerMicrosecond);
            Assert.Equal(expectedInstant, reader.ReadTimestamp());
            string? expectedText = (g % 5) switch
            {
                0 => null,
                1 => "",
                _ => string.Concat(Enumerable.Repeat("é€😀", g)),
            };
            Assert.Equal(expectedText, reader.ReadText());
            Assert.True(reader.ReadBytes(out var id));
            Assert.Equal(g == 7 ? new string('x', 300000) : $"id-{g}", Encoding.UTF8.GetString(id));
        }

        Assert.Equal(40, rows);
        Assert.False(reader.NextRow());
    }

    [Fact]
    public async Task DataCutInRow_Fails()
    {
        byte[] data = await CopyBytesAsync();
        await using var reader = new BinaryCopyReader(new PieceStream(data.AsSpan(0, data.Length / 2).ToArray(), 5));

        var failure = Assert.Throws<InvalidDataException>(() =>
        {
            while (reader.NextRow())
            {
                reader.ReadInt16();
                reader.ReadNullableDouble();
                reader.ReadTimestamp();
                reader.ReadText();
                reader.ReadBytes(out _);
            }
        });
        Assert.Contains("ended in the middle of a row", failure.Message);
    }

    [Fact]
    public async Task FieldsLeftUnread_FailsAtNextRow()
    {
        await using var reader = new BinaryCopyReader(new PieceStream(await CopyBytesAsync(), int.MaxValue));
        Assert.True(reader.NextRow());
        reader.ReadInt16();

        var failure = Assert.Throws<InvalidOperationException>(() => reader.NextRow());
        Assert.Contains("4 fields", failure.Message);
    }

    private async Task<byte[]> CopyBytesAsync()
    {
        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY ({Query}) TO STDOUT (FORMAT BINARY)");
        using var bytes = new MemoryStream();
        await copy.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    // Returns at most a fixed number of bytes per read, as a socket may.
    private sealed class PieceStream(byte[] data, int pieceBytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int length = Math.Min(Math.Min(count, pieceBytes), data.Length - _position);
            data.AsSpan(_position, length).CopyTo(buffer.AsSpan(offset));
            _position += length;
            return length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

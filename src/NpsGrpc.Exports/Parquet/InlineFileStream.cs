namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// A file stream whose asynchronous methods run synchronously on the calling thread. Parquet.Net writes through the
/// asynchronous methods. .NET has no asynchronous file I/O on Linux, so each of those calls would be handed to a
/// thread-pool thread, and the writer would resume on another thread for every page. Writes of a staged file go to
/// the page cache and are short, so running them inline avoids those thread switches.
/// </summary>
public sealed class InlineFileStream(FileStream file) : Stream
{
    /// <summary>The file underneath.</summary>
    public FileStream File => file;

    /// <inheritdoc />
    public override bool CanRead => file.CanRead;

    /// <inheritdoc />
    public override bool CanSeek => file.CanSeek;

    /// <inheritdoc />
    public override bool CanWrite => file.CanWrite;

    /// <inheritdoc />
    public override long Length => file.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => file.Position;
        set => file.Position = value;
    }

    /// <inheritdoc />
    public override void Flush() => file.Flush();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        file.Flush();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => file.Read(buffer, offset, count);

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => file.Read(buffer);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(file.Read(buffer, offset, count));
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(file.Read(buffer.Span));
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => file.Write(buffer, offset, count);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => file.Write(buffer);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        file.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        file.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

    /// <inheritdoc />
    public override void SetLength(long value) => file.SetLength(value);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        file.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

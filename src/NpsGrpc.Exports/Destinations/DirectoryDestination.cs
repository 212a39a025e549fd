namespace NpsGrpc.Exports.Destinations;

/// <summary>
/// A directory on a local or mounted file system. Publishing is a rename within the directory, which is atomic on one
/// file system; files are flushed to disk before they are renamed.
/// </summary>
public sealed class DirectoryDestination : IExportDestination
{
    private readonly string _root;

    /// <summary>Uses <paramref name="root"/>, an absolute path, creating it when missing.</summary>
    public DirectoryDestination(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    /// <inheritdoc />
    public string Description => _root;

    /// <inheritdoc />
    public FileStream CreateStaged(string stagingPath)
    {
        string full = Resolve(stagingPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new FileStream(full, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 20, FileOptions.Asynchronous);
    }

    /// <inheritdoc />
    public Task PublishAsync(string stagingPath, string finalPath, CancellationToken cancellationToken)
    {
        string target = Resolve(finalPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(Resolve(stagingPath), target, overwrite: false);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task WriteWholeAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        string target = Resolve(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temporary = $"{target}.{Guid.NewGuid():N}.tmp";
        await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, target, overwrite: true);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        string full = Resolve(path);
        if (File.Exists(full))
        {
            File.Delete(full);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteFolderAsync(string path, CancellationToken cancellationToken)
    {
        string full = Resolve(path);
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public bool Exists(string path) => File.Exists(Resolve(path));

    private string Resolve(string relativePath)
    {
        string full = Path.GetFullPath(Path.Combine(_root, relativePath));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"Path '{relativePath}' leaves the destination {_root}.", nameof(relativePath));
    }
}

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
        // A buffer below the large object heap threshold: a run may create a file per date, and a 1 MiB buffer per file
        // made the garbage collector do most of the work. The handle is synchronous because .NET has no asynchronous
        // file I/O on Linux; the Parquet writer writes on its own thread.
        return new FileStream(full, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 64 * 1024, FileOptions.None);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One syncfs call flushes the whole file system, which costs far less than an fsync per file when a run writes
    /// a file per date. Where syncfs is unavailable, the directory's files are flushed one by one.
    /// </remarks>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux())
        {
            int descriptor = Open(_root, 0);
            if (descriptor >= 0)
            {
                int result = SyncFileSystem(descriptor);
                Close(descriptor);
                if (result == 0)
                {
                    return Task.CompletedTask;
                }
            }
        }

        foreach (string file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }

        return Task.CompletedTask;
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

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int flags);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int SyncFileSystem(int fileDescriptor);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fileDescriptor);

    private string Resolve(string relativePath)
    {
        string full = Path.GetFullPath(Path.Combine(_root, relativePath));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"Path '{relativePath}' leaves the destination {_root}.", nameof(relativePath));
    }
}

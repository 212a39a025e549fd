namespace NpsGrpc.Exports.Destinations;

/// <summary>
/// Where an export target's files go. Paths are relative, with forward slashes. A run writes each file to a staging
/// path, then publishes it under its final path in one step, so readers of the final paths never see a partial file.
/// An object store implements publishing as a copy to the final key once the upload is complete.
/// </summary>
public interface IExportDestination
{
    /// <summary>A description for messages, such as the directory.</summary>
    string Description { get; }

    /// <summary>
    /// Opens a new local file for <paramref name="stagingPath"/>, readable and writable, replacing any file left there. An
    /// object store keeps staged files on local disk and uploads them when they are published.
    /// </summary>
    FileStream CreateStaged(string stagingPath);

    /// <summary>Makes every staged file and every completed publication durable, for example by flushing them to disk.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Moves a completed staged file to <paramref name="finalPath"/>, which must not exist yet.</summary>
    Task PublishAsync(string stagingPath, string finalPath, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> through a temporary file, replacing it whole.</summary>
    Task WriteWholeAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Deletes the file at <paramref name="path"/> if it exists.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Deletes the folder at <paramref name="path"/> and everything under it, if it exists.</summary>
    Task DeleteFolderAsync(string path, CancellationToken cancellationToken);

    /// <summary>Whether a file exists at <paramref name="path"/>.</summary>
    bool Exists(string path);
}

using System.Security.Cryptography;

namespace NpsGrpc.Exports.Parquet;

/// <summary>
/// Writes a file from its start and computes its SHA-256 from the bytes as they go out, so a finished file is not read
/// again for its checksum.
/// </summary>
internal sealed class HashedOutput(FileStream file) : IDisposable
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Bytes written so far: the offset of the next byte.</summary>
    public long Position { get; private set; }

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        file.Write(bytes);
        _sha256.AppendData(bytes);
        Position += bytes.Length;
    }

    /// <summary>The SHA-256 of everything written, in lowercase hexadecimal.</summary>
    public string Sha256() => Convert.ToHexStringLower(_sha256.GetCurrentHash());

    /// <inheritdoc />
    public void Dispose() => _sha256.Dispose();
}

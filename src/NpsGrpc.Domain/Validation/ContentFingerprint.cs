using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NpsGrpc.Domain.Validation;

/// <summary>
/// A 16-byte fingerprint of a response's content (everything but its survey and response ids). Two
/// deliveries of the same response id are a harmless retry when their fingerprints match and a conflict
/// when they differ.
/// </summary>
public static class ContentFingerprint
{
    /// <summary>Length of a fingerprint in bytes: the first half of a SHA-256 digest.</summary>
    public const int Length = 16;

    /// <summary>Computes the fingerprint. Every field is length-prefixed, so no two contents encode alike.</summary>
    public static byte[] Compute(
        string customerId,
        short score,
        DateTime respondedAtUtc,
        string? comment,
        IReadOnlyList<KeyValuePair<string, string>> attributesByKey,
        double? weight)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteString(buffer, customerId);
        WriteInt64(buffer, score);
        WriteInt64(buffer, respondedAtUtc.Ticks);
        WriteInt64(buffer, comment is null ? 0 : 1);
        WriteString(buffer, comment ?? string.Empty);
        WriteInt64(buffer, attributesByKey.Count);
        foreach ((string key, string value) in attributesByKey)
        {
            WriteString(buffer, key);
            WriteString(buffer, value);
        }

        WriteInt64(buffer, weight is null ? 0 : 1);
        WriteInt64(buffer, BitConverter.DoubleToInt64Bits(weight ?? 0));

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, digest);
        return digest[..Length].ToArray();
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteInt64(buffer, byteCount);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(byteCount));
        buffer.Advance(byteCount);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(sizeof(long)), value);
        buffer.Advance(sizeof(long));
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace NpsGrpc.Storage.ApiKeys;

/// <summary>
/// Generates, parses and hashes API keys of the form "nps_&lt;key id&gt;_&lt;secret part&gt;". The key id is
/// 12 lowercase hexadecimal characters (48 random bits) that find the stored row. The secret part is 32 random
/// bytes in base64url (43 characters). Because a key carries 256 random bits, brute force is infeasible even against
/// a fast hash, so a SHA-256 hash is stored rather than the slow hash that low-entropy passwords need.
/// </summary>
public static class ApiKeySecret
{
    /// <summary>The fixed start of every key, which lets secret scanners recognise leaked keys.</summary>
    public const string Prefix = "nps_";

    /// <summary>Length of a key id in characters.</summary>
    public const int KeyIdLength = 12;

    private const int SecretBytes = 32;
    private const int SecretPartLength = 43;
    private static readonly int KeyLength = Prefix.Length + KeyIdLength + 1 + SecretPartLength;

    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>Generates a new key from the operating system's cryptographic random number generator.</summary>
    public static (string KeyId, string Key) Generate()
    {
        string keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdLength / 2));
        string secretPart = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        return (keyId, $"{Prefix}{keyId}_{secretPart}");
    }

    /// <summary>
    /// Reads the key id out of <paramref name="key"/>; returns false when the text does not have the shape of a key.
    /// </summary>
    public static bool TryGetKeyId(string key, out string keyId)
    {
        keyId = "";
        if (key.Length != KeyLength
            || !key.StartsWith(Prefix, StringComparison.Ordinal)
            || key[Prefix.Length + KeyIdLength] != '_')
        {
            return false;
        }

        var id = key.AsSpan(Prefix.Length, KeyIdLength);
        var secretPart = key.AsSpan(Prefix.Length + KeyIdLength + 1);
        if (!IsKeyId(id) || secretPart.ContainsAnyExcept(Base64UrlAlphabet))
        {
            return false;
        }

        keyId = id.ToString();
        return true;
    }

    /// <summary>Whether <paramref name="text"/> is a key id: 12 lowercase hexadecimal characters.</summary>
    public static bool IsKeyId(ReadOnlySpan<char> text) =>
        text.Length == KeyIdLength && !text.ContainsAnyExcept("0123456789abcdef");

    /// <summary>Returns the SHA-256 hash of the key's UTF-8 bytes, the value stored in api_keys.key_hash.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Compares two hashes in time that does not depend on where they differ.</summary>
    public static bool HashesEqual(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        CryptographicOperations.FixedTimeEquals(left, right);
}

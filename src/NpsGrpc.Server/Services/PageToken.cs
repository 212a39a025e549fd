using System.Buffers.Text;
using System.Text;
using NpsGrpc.Server.Errors;

namespace NpsGrpc.Server.Services;

/// <summary>
/// Opaque page tokens for keyset paging: the last key of a page, versioned and base64url-encoded. Clients
/// must treat them as opaque; the encoding may change between server versions.
/// </summary>
public static class PageToken
{
    private const string Prefix = "k1:";

    /// <summary>Encodes the last key of a page.</summary>
    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Prefix + lastKey));

    /// <summary>Decodes a token into the key after which the next page starts, or null for an empty token.</summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT when the token was not issued by this server.</exception>
    public static string? Decode(string token, string field = "page_token")
    {
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            string text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith(Prefix, StringComparison.Ordinal) && !text.Any(char.IsControl))
            {
                return text[Prefix.Length..];
            }
        }
        catch (FormatException)
        {
        }

        throw RpcErrors.InvalidArgument(field, $"{field} is not a token returned by this server; pass next_page_token unchanged");
    }
}

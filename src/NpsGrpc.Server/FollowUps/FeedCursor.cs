using System.Buffers.Text;
using System.Globalization;
using System.Text;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.FollowUps;

namespace NpsGrpc.Server.FollowUps;

/// <summary>
/// Opaque SubscribeFollowUps cursors: a versioned, base64url-encoded <see cref="FeedPosition"/>. Clients must pass
/// them back unchanged; the encoding may change between server versions.
/// </summary>
public static class FeedCursor
{
    private const string Prefix = "f1:";

    /// <summary>Encodes <paramref name="position"/>.</summary>
    public static string Encode(FeedPosition position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{position.LoadSeq}:{position.ItemId}")));

    /// <summary>Decodes a cursor, or returns the start of the feed for an empty one.</summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT when the cursor was not issued by this server.</exception>
    public static FeedPosition Decode(string cursor)
    {
        if (cursor.Length == 0)
        {
            return FeedPosition.Start;
        }

        try
        {
            string text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            string[] parts = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..].Split(':') : [];
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long loadSeq)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long itemId))
            {
                return new FeedPosition(loadSeq, itemId);
            }
        }
        catch (FormatException)
        {
        }

        throw RpcErrors.InvalidArgument(
            "cursor", "cursor is not a cursor returned by this server; pass the cursor of the last item received unchanged");
    }
}

using System.Security.Cryptography;
using System.Text;

namespace NpsGrpc.Cli.Ingest;

/// <summary>SHA-256 over a list of named values, encoded so that no two different lists give the same bytes.</summary>
internal static class ContentHash
{
    /// <summary>
    /// Returns the first <paramref name="hexLength"/> hex digits of the hash of <paramref name="fields"/>.
    /// </summary>
    public static string Compute(IEnumerable<(string Name, string Value)> fields, int hexLength)
    {
        // Each value is length-prefixed, so a separator inside a value cannot shift it into the next field.
        var text = new StringBuilder();
        foreach ((string name, string value) in fields)
        {
            text.Append(name).Append('=').Append(value.Length).Append(':').Append(value).Append('\n');
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(hash)[..hexLength];
    }
}

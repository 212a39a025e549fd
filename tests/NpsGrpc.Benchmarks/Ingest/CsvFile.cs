using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NpsGrpc.Benchmarks.Generation;

namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>
/// Writes responses as a CSV file that PostgreSQL's COPY ... (FORMAT csv) reads into a table shaped like
/// <c>responses</c>: no header, an empty unquoted field for NULL, bytea in hex and jsonb as quoted text.
/// </summary>
public static class CsvFile
{
    /// <summary>The target columns, in the order of the fields of each line.</summary>
    public const string Columns =
        "survey_id, response_id, customer_id, score, responded_at, received_at, comment, attributes, weight, " +
        "content_hash";

    /// <summary>Writes one line per response to <paramref name="path"/>, replacing the file.</summary>
    /// <param name="path">File to write.</param>
    /// <param name="responses">The responses.</param>
    /// <param name="surveyId">survey_id of every line.</param>
    /// <param name="receivedAt">received_at of every line.</param>
    public static void Write(
        string path, IReadOnlyList<GeneratedResponse> responses, string surveyId, DateTime receivedAt)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        writer.NewLine = "\n";
        string received = FormatTimestamp(receivedAt);
        var line = new StringBuilder(256);
        foreach (var response in responses)
        {
            string attributes = $"{{\"channel\": \"{response.Channel}\", \"plan\": \"{response.Plan}\", " +
                $"\"region\": \"{response.Region}\"}}";
            line.Clear()
                .Append(surveyId).Append(',')
                .Append(response.ResponseId).Append(',')
                .Append(Quote(response.CustomerId)).Append(',')
                .Append(response.Score.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(FormatTimestamp(response.RespondedAt)).Append(',')
                .Append(received).Append(',')
                .Append(response.Comment is null ? string.Empty : Quote(response.Comment)).Append(',')
                .Append(Quote(attributes)).Append(',')
                .Append(',') // weight: NULL, the default of 1
                .Append("\\x").Append(Convert.ToHexStringLower(ContentHash(response, attributes)));
            writer.WriteLine(line);
        }
    }

    // Only the cost of a 16-byte hash matters here, so this is a plain MD5 of the content fields rather than the
    // server's fingerprint.
    private static byte[] ContentHash(GeneratedResponse response, string attributes) =>
        MD5.HashData(Encoding.UTF8.GetBytes(
            $"{response.CustomerId}\n{response.Score}\n{response.RespondedAt.Ticks}\n" +
            $"{response.Comment}\n{attributes}"));

    private static string FormatTimestamp(DateTime utc) =>
        utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

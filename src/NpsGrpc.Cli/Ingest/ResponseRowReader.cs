using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Cli.Csv;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Ingest;

/// <summary>
/// Turns CSV rows into survey responses, or into <see cref="RowIssue"/>s for rows that cannot be sent.
/// </summary>
internal sealed class ResponseRowReader(ResponseColumns columns)
{
    /// <summary>Hex digits of a customer id derived from a row: 96 bits.</summary>
    public const int DerivedCustomerIdHexLength = 24;

    private readonly StableResponseIds _ids = new(columns.Mapping.DedupeIdenticalRows);

    /// <summary>
    /// Returns the response of <paramref name="row"/>, or null with <paramref name="issue"/> set. Ids, scores,
    /// timestamps and attribute values are trimmed of surrounding whitespace; the comment is kept as it is.
    /// A blank attribute cell leaves the attribute out. A score outside 0-10 is sent, for the server to reject.
    /// </summary>
    public SurveyResponse? Read(CsvRow row, out RowIssue? issue)
    {
        issue = null;
        if (row.Malformation is { } malformation)
        {
            issue = Unparsable(row, "record", $"malformed CSV: {malformation}");
            return null;
        }

        var cells = row.Cells;
        string customerId = columns.CustomerId >= 0 ? cells[columns.CustomerId].Trim() : DeriveCustomerId(cells);
        if (customerId.Length == 0)
        {
            string column = columns.Mapping.CustomerIdColumn!;
            issue = Unparsable(row, "customer_id", $"customer id in column '{column}' is blank");
            return null;
        }

        string scoreText = cells[columns.Score].Trim();
        if (ParseScore(scoreText) is not { } score)
        {
            string problem = scoreText.Length == 0 ? "is blank" : $"'{scoreText}' is not an integer";
            issue = Unparsable(row, "score", $"score in column '{columns.Mapping.ScoreColumn}' {problem}");
            return null;
        }

        string timestampText = columns.Timestamp >= 0 ? cells[columns.Timestamp].Trim() : "";
        DateTime? respondedAt = columns.Mapping.RespondedAt;
        if (columns.Timestamp >= 0)
        {
            respondedAt = ParseTimestamp(row, timestampText, out issue);
            if (issue is not null)
            {
                return null;
            }
        }

        var response = new SurveyResponse
        {
            CustomerId = customerId,
            Score = score,
            RespondedAt = Timestamp.FromDateTime(respondedAt!.Value),
            Comment = columns.Comment >= 0 ? cells[columns.Comment] : "",
        };
        foreach ((string key, int column) in columns.Attributes)
        {
            string value = cells[column].Trim();
            if (value.Length > 0)
            {
                response.Attributes[key] = value;
            }
        }

        if (columns.ResponseId >= 0)
        {
            response.ResponseId = cells[columns.ResponseId].Trim();
            if (response.ResponseId.Length == 0)
            {
                string column = columns.Mapping.ResponseIdColumn!;
                issue = Unparsable(row, "response_id", $"response id in column '{column}' is blank");
                return null;
            }
        }
        else
        {
            response.ResponseId = _ids.Next(IdentityContent(response, timestampText));
        }

        return response;
    }

    /// <summary>
    /// Returns the values a generated response id is derived from: every mapped value as read from the row. The
    /// timestamp enters as text, so a changed --time-zone or --responded-at gives the same ids with different
    /// content, which the server rejects as conflicts instead of storing the rows twice.
    /// </summary>
    public static IEnumerable<(string Name, string Value)> IdentityContent(
        SurveyResponse response, string timestampText)
    {
        yield return ("customer_id", response.CustomerId);
        yield return ("score", response.Score.ToString(CultureInfo.InvariantCulture));
        yield return ("timestamp", timestampText);
        yield return ("comment", response.Comment);
        foreach (var attribute in response.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            yield return ($"attributes[{attribute.Key}]", attribute.Value);
        }
    }

    /// <summary>Derives a customer id from every cell of the record, for files that identify no customer.</summary>
    public static string DeriveCustomerId(CsvCells cells)
    {
        var fields = cells.All.Select((value, index) => (index.ToString(CultureInfo.InvariantCulture), value));
        return "row-" + ContentHash.Compute(fields, DerivedCustomerIdHexLength);
    }

    private static int? ParseScore(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int score) ? score : null;

    private DateTime? ParseTimestamp(CsvRow row, string text, out RowIssue? issue)
    {
        issue = null;
        if (text.Length == 0)
        {
            string column = columns.Mapping.TimestampColumn!;
            issue = Unparsable(row, "responded_at", $"timestamp in column '{column}' is blank");
            return null;
        }

        if (columns.Mapping.TimestampParser.TryParse(text, out string? error) is { } instant)
        {
            return instant;
        }

        issue = Unparsable(row, "responded_at", $"timestamp in column '{columns.Mapping.TimestampColumn}': {error}");
        return null;
    }

    private static RowIssue Unparsable(CsvRow row, string fieldPath, string message) =>
        new(row.LineNumber, RowIssueKind.Unparsable, fieldPath, message);
}

using NpsGrpc.Cli.Csv;
using NpsGrpc.Cli.Ingest;
using NpsGrpc.Cli.Mapping;

namespace NpsGrpc.Cli.Tests;

public sealed class ColumnMappingTests
{
    private static readonly DateTime RespondedAt = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void AttributeMapping_KeyEqualsColumn_Parses()
    {
        var mapping = AttributeMapping.TryParse("airline=Airline", out string? error);

        Assert.Null(error);
        Assert.Equal(new AttributeMapping("airline", "Airline"), mapping);
    }

    [Fact]
    public void AttributeMapping_ColumnWithEquals_KeepsRest()
    {
        var mapping = AttributeMapping.TryParse("ratio=a=b", out _);

        Assert.Equal("a=b", mapping?.Column);
    }

    [Theory]
    [InlineData("airline")]
    [InlineData("=Airline")]
    [InlineData("airline=")]
    [InlineData("1airline=Airline")]
    [InlineData("air line=Airline")]
    public void AttributeMapping_Invalid_ReturnsError(string text)
    {
        var mapping = AttributeMapping.TryParse(text, out string? error);

        Assert.Null(mapping);
        Assert.NotNull(error);
    }

    [Fact]
    public void ParseAll_DuplicateKey_Throws()
    {
        var exception = Assert.Throws<UsageException>(() => AttributeMapping.ParseAll(["a=X", "a=Y"]));

        Assert.Contains("'a'", exception.Message);
    }

    [Fact]
    public void Resolve_HeaderNames_CaseInsensitiveFallback()
    {
        using var csv = new TemporaryCsv("Customer ID,Score,Channel\nc1,9,web\n");
        using var file = CsvFile.Open(csv.Path);

        var columns = ResponseColumns.Resolve(
            Mapping() with { CustomerIdColumn = "customer id", Attributes = [new("channel", "CHANNEL")] }, file);

        Assert.Equal(0, columns.CustomerId);
        Assert.Equal(1, columns.Score);
        Assert.Equal(2, columns.Attributes[0].Column);
        Assert.Equal(-1, columns.Timestamp);
    }

    [Fact]
    public void Resolve_UnknownColumn_NamesOptionAndHeader()
    {
        using var csv = new TemporaryCsv("customer,score\nc1,9\n");
        using var file = CsvFile.Open(csv.Path);

        var exception = Assert.Throws<UsageException>(
            () => ResponseColumns.Resolve(Mapping() with { CommentColumn = "text" }, file));

        Assert.Contains("--comment names column 'text'", exception.Message);
        Assert.Contains("'customer', 'score'", exception.Message);
    }

    [Fact]
    public void Read_Row_MapsEveryField()
    {
        var reader = Reader(Mapping() with { CommentColumn = "comment", Attributes = [new("channel", "channel")] });

        var response = reader.Read(Row(" c1 ", " 9 ", "  keep spaces ", " web "), out RowIssue? issue);

        Assert.Null(issue);
        Assert.Equal("c1", response!.CustomerId);
        Assert.Equal(9, response.Score);
        Assert.Equal("  keep spaces ", response.Comment);
        Assert.Equal("web", response.Attributes["channel"]);
        Assert.Equal(RespondedAt, response.RespondedAt.ToDateTime());
    }

    [Fact]
    public void Read_BlankAttribute_LeavesItOut()
    {
        var reader = Reader(Mapping() with { Attributes = [new("channel", "channel")] });

        var response = reader.Read(Row("c1", "9", "", "  "), out _);

        Assert.Empty(response!.Attributes);
    }

    [Theory]
    [InlineData("", "is blank")]
    [InlineData("nine", "'nine' is not an integer")]
    [InlineData("9.0", "'9.0' is not an integer")]
    public void Read_BadScore_ReportsLine(string score, string problem)
    {
        var reader = Reader(Mapping());

        var response = reader.Read(Row("c1", score, "", ""), out RowIssue? issue);

        Assert.Null(response);
        Assert.Equal(7, issue!.LineNumber);
        Assert.Equal("score", issue.FieldPath);
        Assert.EndsWith(problem, issue.Message);
    }

    [Fact]
    public void Read_ScoreOutOfRange_SendsIt()
    {
        var response = Reader(Mapping()).Read(Row("c1", "11", "", ""), out RowIssue? issue);

        Assert.Null(issue);
        Assert.Equal(11, response!.Score);
    }

    [Fact]
    public void Read_CustomerFromRow_SameCellsSameId()
    {
        var reader = Reader(Mapping() with { CustomerIdColumn = null, CustomerIdFromRow = true });

        var first = reader.Read(Row("x", "9", "a", ""), out _);
        var second = reader.Read(Row("x", "9", "a", ""), out _);
        var other = reader.Read(Row("x", "9", "b", ""), out _);

        Assert.StartsWith("row-", first!.CustomerId);
        Assert.Equal(first.CustomerId, second!.CustomerId);
        Assert.NotEqual(first.CustomerId, other!.CustomerId);
        Assert.NotEqual(first.ResponseId, second.ResponseId);
    }

    [Fact]
    public void Read_MalformedRecord_IsUnparsable()
    {
        var row = new CsvRow(3, new CsvCells(["c1", "9"]), "a quoted field that is never closed");

        var response = Reader(Mapping()).Read(row, out RowIssue? issue);

        Assert.Null(response);
        Assert.Equal(RowIssueKind.Unparsable, issue!.Kind);
        Assert.Contains("never closed", issue.Message);
    }

    private static ResponseMapping Mapping() => new()
    {
        CustomerIdColumn = "customer",
        ScoreColumn = "score",
        RespondedAt = RespondedAt,
    };

    // Columns: customer, score, comment, channel.
    private static ResponseRowReader Reader(ResponseMapping mapping)
    {
        string[] header = ["customer", "score", "comment", "channel"];
        return new ResponseRowReader(ResponseColumns.Resolve(mapping, (name, _) => Array.IndexOf(header, name)));
    }

    private static CsvRow Row(params string[] cells) => new(7, new CsvCells(cells), null);
}

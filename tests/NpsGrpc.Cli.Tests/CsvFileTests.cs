using NpsGrpc.Cli.Csv;

namespace NpsGrpc.Cli.Tests;

public sealed class CsvFileTests
{
    [Fact]
    public async Task ReadRows_QuotedLineBreaks_ReportsStartLines()
    {
        using var csv = new TemporaryCsv(
            "a,b\r\n" +
            "1,\"x\r\ny\"\r\n" +
            "\r\n" +
            "2,\"say \"\"hi\"\", ok\"\n" +
            "3,\"p\nq\nr\"\n" +
            "4,end",
            byteOrderMark: true);
        using var file = CsvFile.Open(csv.Path);

        var rows = await ReadAllAsync(file);

        Assert.Equal(["a", "b"], file.Header);
        Assert.Equal([2L, 5L, 6L, 9L], rows.Select(row => row.LineNumber));
        Assert.Equal("x\r\ny", rows[0].Cells[1]);
        Assert.Equal("say \"hi\", ok", rows[1].Cells[1]);
        Assert.Equal("end", rows[3].Cells[1]);
        Assert.All(rows, row => Assert.Null(row.Malformation));
    }

    [Fact]
    public async Task ReadRows_ShortRecord_ReadsEmptyCells()
    {
        using var csv = new TemporaryCsv("a,b,c\n1\n");
        using var file = CsvFile.Open(csv.Path);

        var row = Assert.Single(await ReadAllAsync(file));

        Assert.Equal("", row.Cells[2]);
    }

    [Fact]
    public async Task ReadRows_BrokenQuoting_MarksRecord()
    {
        using var csv = new TemporaryCsv("a,b\n1,ok\n2,\"ab\"c\n3,ok\n");
        using var file = CsvFile.Open(csv.Path);

        var rows = await ReadAllAsync(file);

        Assert.Null(rows[0].Malformation);
        Assert.NotNull(rows[1].Malformation);
        Assert.Equal(3, rows[1].LineNumber);
        Assert.Null(rows[2].Malformation);
    }

    [Fact]
    public void Open_EmptyFile_Throws()
    {
        using var csv = new TemporaryCsv("");

        var exception = Assert.Throws<UsageException>(() => CsvFile.Open(csv.Path));

        Assert.Contains("header", exception.Message);
    }

    private static async Task<List<CsvRow>> ReadAllAsync(CsvFile file)
    {
        var rows = new List<CsvRow>();
        await foreach (var row in file.ReadRowsAsync(CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }
}

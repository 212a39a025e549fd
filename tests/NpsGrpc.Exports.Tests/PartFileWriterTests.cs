using System.Globalization;
using System.Text;
using global::Parquet;
using global::Parquet.Schema;
using NpsGrpc.Exports.Parquet;

namespace NpsGrpc.Exports.Tests;

/// <summary>
/// Files written by <see cref="PartFileWriter"/>, read back with DuckDB and with Parquet.Net's reader: every column kind,
/// nulls, dictionary and plain text, row groups from 1 to 45,000 rows, an empty buffer, and text large enough to fill
/// several pages.
/// </summary>
public sealed class PartFileWriterTests
{
    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private static readonly ColumnSpec[] Columns =
    [
        new("id", ColumnKind.Int64),
        new("required_text", ColumnKind.Text),
        new("optional_text", ColumnKind.Text, Nullable: true),
        new("category", ColumnKind.Text, Dictionary: true),
        new("region", ColumnKind.Text, Nullable: true, Dictionary: true),
        new("code", ColumnKind.Text, Dictionary: true),
        new("unique_key", ColumnKind.Text, Nullable: true, Dictionary: true),
        new("small", ColumnKind.Int32),
        new("ratio", ColumnKind.Double),
        new("flag", ColumnKind.Boolean),
        new("day", ColumnKind.Date),
        new("at", ColumnKind.Timestamp),
        new("updated", ColumnKind.Timestamp, Nullable: true),
    ];

    private static readonly string[] Categories = ["promoter", "passive", "detractor"];

    private static readonly string[] Regions = ["eu-west", "us-east", "apac", "ünïcode", "😀 emoji", "\uffff", "", "latam"];

    // More codes than 8 bits number, so dictionary indexes take 9 bits.
    private static readonly string[] Codes = Enumerable.Range(0, 257).Select(i => $"code-{i:D3}").ToArray();

    private static readonly double[] SpecialRatios = [double.NaN, -0.0, 0.0, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue];

    // Row counts of the buffers written: one row, none, which writes no row group, nine rows, one past a page of 20,000
    // rows, and 45,000 rows.
    private static readonly int[] RowGroupSizes = [1, 0, 9, 20_001, 45_000];

    [Fact]
    public async Task AllColumnKinds_ReadBackUnchanged()
    {
        var expected = Generate(new Random(1207));
        using var temporary = new TemporaryFile();
        string path = temporary.Path;
        await WriteAsync(expected, path);
        using var duck = ExportKit.OpenDuckDb();
        var fromDuck = ExportKit.Query(
            duck,
            $"""
            SELECT id, required_text, optional_text, category, region, code, unique_key, small, ratio, flag,
                   day - DATE '1970-01-01', epoch_us("at"), epoch_us(updated)
            FROM read_parquet('{path}') ORDER BY id
            """);
        AssertRows(expected, fromDuck, "DuckDB");

        var fromParquetNet = await ReadWithParquetNetAsync(path);
        AssertRows(expected, fromParquetNet, "Parquet.Net");
    }

    [Fact]
    public async Task ColumnChunks_TypesEncodingsAndStatistics()
    {
        var expected = Generate(new Random(1208));
        using var temporary = new TemporaryFile();
        string path = temporary.Path;
        await WriteAsync(expected, path);
        using var duck = ExportKit.OpenDuckDb();
        var types = ExportKit.Query(duck, $"DESCRIBE SELECT * FROM read_parquet('{path}')").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("BIGINT", types["id"]);
        Assert.Equal("VARCHAR", types["required_text"]);
        Assert.Equal("VARCHAR", types["region"]);
        Assert.Equal("INTEGER", types["small"]);
        Assert.Equal("DOUBLE", types["ratio"]);
        Assert.Equal("BOOLEAN", types["flag"]);
        Assert.Equal("DATE", types["day"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", types["at"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", types["updated"]);

        var chunks = ExportKit.Query(
                duck,
                $"SELECT row_group_id, path_in_schema, encodings, stats_null_count, stats_min_value, stats_max_value FROM parquet_metadata('{path}')")
            .ToDictionary(
                r => (Group: Convert.ToInt32(r[0], CultureInfo.InvariantCulture), Column: (string)r[1]!),
                r => (Encodings: (string)r[2]!, Nulls: r[3] is null ? (long?)null : Convert.ToInt64(r[3], CultureInfo.InvariantCulture), Min: r[4] as string, Max: r[5] as string));

        Assert.Equal(RowGroupSizes.Count(size => size > 0), chunks.Keys.Select(k => k.Group).Distinct().Count());
        int first = 0;
        int group = 0;
        foreach (int size in RowGroupSizes.Where(size => size > 0))
        {
            var rows = expected.Skip(first).Take(size).ToList();
            first += size;

            // A dictionary column with few distinct values has a dictionary. One whose values are all distinct is
            // plain, as is a chunk of a single row.
            Assert.Equal(rows.Count > 1, chunks[(group, "category")].Encodings.Contains("DICTIONARY", StringComparison.Ordinal));
            Assert.DoesNotContain("DICTIONARY", chunks[(group, "unique_key")].Encodings, StringComparison.Ordinal);
            Assert.DoesNotContain("DICTIONARY", chunks[(group, "required_text")].Encodings, StringComparison.Ordinal);

            Assert.Equal(rows.Count(r => r.Optional is null), chunks[(group, "optional_text")].Nulls);
            Assert.Equal(rows.Count(r => r.Region is null), chunks[(group, "region")].Nulls);
            Assert.Equal(rows.Count(r => r.Updated is null), chunks[(group, "updated")].Nulls);
            Assert.Equal(0, chunks[(group, "small")].Nulls);

            Assert.Equal(rows.Min(r => r.Small).ToString(CultureInfo.InvariantCulture), chunks[(group, "small")].Min);
            Assert.Equal(rows.Max(r => r.Small).ToString(CultureInfo.InvariantCulture), chunks[(group, "small")].Max);

            var regions = rows.Select(r => r.Region).OfType<string>().Order(Utf8Order.Instance).ToList();
            Assert.Equal(regions.FirstOrDefault(), chunks[(group, "region")].Min);
            Assert.Equal(regions.LastOrDefault(), chunks[(group, "region")].Max);

            // Text bounds longer than 4 KiB are left out, both of them.
            var texts = rows.Select(r => r.Required).Order(Utf8Order.Instance).ToList();
            bool boundsKept = Encoding.UTF8.GetByteCount(texts[0]) <= 4096 && Encoding.UTF8.GetByteCount(texts[^1]) <= 4096;
            Assert.Equal(boundsKept ? texts[0] : null, chunks[(group, "required_text")].Min);
            Assert.Equal(boundsKept ? texts[^1] : null, chunks[(group, "required_text")].Max);
            group++;
        }

        // The 400 KB values sort last, so the groups that contain one have no text bounds. The first group has none.
        Assert.Null(chunks[(3, "required_text")].Max);
        Assert.NotNull(chunks[(0, "required_text")].Max);
    }

    [Fact]
    public async Task DictionaryBounds_OfEncodedText()
    {
        // A lone surrogate is stored as U+FFFD, which sorts before U+FFFE in UTF-8, though the string sorts after it.
        ColumnSpec[] columns = [new("mark", ColumnKind.Text, Dictionary: true)];
        using var temporary = new TemporaryFile();
        string path = temporary.Path;
        var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite);
        await using (var writer = await PartFileWriter.CreateAsync(file, columns, "writer_test", null, path, path, CancellationToken.None))
        {
            var rows = new RowBuffer(columns);
            for (int i = 0; i < 100; i++)
            {
                rows.SetText(0, i % 2 == 0 ? "\ud800" : "\ufffe");
                rows.EndRow();
            }

            await writer.WriteRowGroupAsync(rows, CancellationToken.None);
            await writer.CompleteAsync();
        }

        using var duck = ExportKit.OpenDuckDb();
        Assert.Equal(("\ufffd", "\ufffe"), ExportKit.ColumnBounds(duck, path)["mark"]);
        Assert.Equal(50, ExportKit.Scalar(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE mark = '\ufffd'"));
    }

    [Fact]
    public async Task NullableNumberColumn_Rejected()
    {
        using var temporary = new TemporaryFile();
        string path = temporary.Path;
        await using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => PartFileWriter.CreateAsync(
            file, [new ColumnSpec("count", ColumnKind.Int32, Nullable: true)], "writer_test", null, path, path, CancellationToken.None));
        Assert.Contains("count", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedFooterWrite_ClosesFile()
    {
        using var temporary = new TemporaryFile();
        string path = temporary.Path;
        var file = new FailingFileStream(path);
        var writer = await PartFileWriter.CreateAsync(file, Columns[..1], "writer_test", null, path, path, CancellationToken.None);
        var rows = new RowBuffer(Columns[..1]);
        rows.SetInt64(0, 1);
        rows.EndRow();
        await writer.WriteRowGroupAsync(rows, CancellationToken.None);

        file.Failing = true;
        await Assert.ThrowsAsync<IOException>(writer.CompleteAsync);
        Assert.True(file.Disposed);
        await writer.DisposeAsync();
    }

    private static async Task WriteAsync(List<Row> rows, string path)
    {
        var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite);
        await using var writer = await PartFileWriter.CreateAsync(file, Columns, "writer_test", null, path, path, CancellationToken.None);
        var buffer = new RowBuffer(Columns);
        int next = 0;
        foreach (int size in RowGroupSizes)
        {
            foreach (var row in rows.Skip(next).Take(size))
            {
                buffer.SetInt64(0, row.Id);
                buffer.CopyUtf8(1, Encoding.UTF8.GetBytes(row.Required));
                if (row.Optional is null)
                {
                    buffer.SetText(2, null);
                }
                else
                {
                    buffer.CopyUtf8(2, Encoding.UTF8.GetBytes(row.Optional));
                }

                buffer.SetText(3, row.Category);
                buffer.SetText(4, row.Region);
                buffer.SetText(5, row.Code);
                buffer.SetText(6, row.UniqueKey);
                buffer.SetInt32(7, row.Small);
                buffer.SetDouble(8, row.Ratio);
                buffer.SetBoolean(9, row.Flag);
                buffer.SetDate(10, row.Day);
                buffer.SetTimestamp(11, row.At);
                buffer.SetTimestamp(12, row.Updated);
                buffer.EndRow();
            }

            next += size;
            await writer.WriteRowGroupAsync(buffer, CancellationToken.None);
            buffer.Clear();
        }

        var staged = await writer.CompleteAsync();
        Assert.Equal(rows.Count, staged.Rows);
        Assert.Equal(new FileInfo(path).Length, staged.Bytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), staged.Sha256);
    }

    private static List<Row> Generate(Random random)
    {
        int total = RowGroupSizes.Sum();
        var rows = new List<Row>(total);
        int categoryRun = 0;
        string category = Categories[0];
        for (int id = 0; id < total; id++)
        {
            // Runs of 1 to 20 equal categories, so the indexes mix repeated runs and bit-packed groups.
            if (categoryRun-- <= 0)
            {
                category = Categories[random.Next(Categories.Length)];
                categoryRun = random.Next(20);
            }

            // A few values of 400 KB make the text pages end by size rather than by row count.
            string required = id % 9_973 == 5 ? new string('x', 400_000) + id : $"text-{id}-{Pieces(random)}";

            // The 9-row group has no region at all.
            bool regionGroup = id is < 1 or >= 10;
            rows.Add(new Row(
                id,
                required,
                random.Next(10) < 3 ? $"comment {Pieces(random)}" : null,
                category,
                regionGroup && random.Next(5) > 0 ? Regions[random.Next(Regions.Length)] : null,
                Codes[random.Next(Codes.Length)],
                random.Next(50) == 0 ? null : $"key-{id:D6}",
                SmallValue(random),
                random.Next(100) == 0 ? SpecialRatios[random.Next(SpecialRatios.Length)] : random.NextDouble() * 200 - 100,
                random.Next(2) == 0,
                DateOnly.FromDayNumber(UnixEpochDay + random.Next(-20_000, 30_000)),
                DateTime.UnixEpoch.AddTicks(random.NextInt64(-1_000_000_000, 4_000_000_000) * TimeSpan.TicksPerSecond + random.Next(1_000_000) * 10L),
                random.Next(2) == 0 ? null : DateTime.UnixEpoch.AddTicks(random.NextInt64(0, 2_000_000_000) * TimeSpan.TicksPerSecond)));
        }

        return rows;
    }

    // Mostly small numbers, and now and then the smallest or largest 32-bit integer.
    private static int SmallValue(Random random)
    {
        if (random.Next(100) > 0)
        {
            return random.Next(-1000, 1000);
        }

        return random.Next(2) == 0 ? int.MinValue : int.MaxValue;
    }

    private static string Pieces(Random random)
    {
        string[] pieces = ["a", "é", "€", "😀", " ", "word"];
        return string.Concat(Enumerable.Range(0, random.Next(6)).Select(_ => pieces[random.Next(pieces.Length)]));
    }

    private static void AssertRows(List<Row> expected, List<object?[]> actual, string reader)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var row = expected[i];
            object?[] values =
            [
                row.Id, row.Required, row.Optional, row.Category, row.Region, row.Code, row.UniqueKey, row.Small, row.Ratio, row.Flag,
                (long)(row.Day.DayNumber - UnixEpochDay), Microseconds(row.At), row.Updated is { } updated ? Microseconds(updated) : null,
            ];
            Assert.True(values.SequenceEqual(actual[i]), $"{reader}: row {i} differs.");
        }
    }

    // Reads every row group's columns with Parquet.Net and turns the rows into the values the DuckDB query returns.
    private static async Task<List<object?[]>> ReadWithParquetNetAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        var rows = new List<object?[]>();
        for (int group = 0; group < reader.RowGroupCount; group++)
        {
            using var groupReader = reader.OpenRowGroupReader(group);
            int count = (int)groupReader.RowCount;
            var columns = new List<object?[]>();
            foreach (var field in fields)
            {
                columns.Add(await ReadColumnAsync(groupReader, field, count));
            }

            for (int row = 0; row < count; row++)
            {
                rows.Add(columns.Select((values, column) => Comparable(column, values[row])).ToArray());
            }
        }

        return rows.OrderBy(r => (long)r[0]!).ToList();
    }

    private static async Task<object?[]> ReadColumnAsync(ParquetRowGroupReader reader, DataField field, int count)
    {
        if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
        {
            var strings = new string?[count];
            await reader.ReadAsync(field, strings.AsMemory());
            return strings;
        }

        return field.ClrType switch
        {
            var type when type == typeof(long) => await ReadValuesAsync<long>(reader, field, count),
            var type when type == typeof(int) => await ReadValuesAsync<int>(reader, field, count),
            var type when type == typeof(double) => await ReadValuesAsync<double>(reader, field, count),
            var type when type == typeof(bool) => await ReadValuesAsync<bool>(reader, field, count),
            var type when type == typeof(DateTime) => await ReadValuesAsync<DateTime>(reader, field, count),
            var type when type == typeof(DateOnly) => await ReadValuesAsync<DateOnly>(reader, field, count),
            var type => throw new InvalidOperationException($"Column {field.Name} has the unexpected CLR type {type}."),
        };
    }

    private static async Task<object?[]> ReadValuesAsync<T>(ParquetRowGroupReader reader, DataField field, int count)
        where T : struct
    {
        if (field.IsNullable)
        {
            var optional = new T?[count];
            await reader.ReadAsync(field, optional.AsMemory());
            return optional.Select(v => v.HasValue ? (object)v.Value : null).ToArray();
        }

        var values = new T[count];
        await reader.ReadAsync(field, values.AsMemory());
        return values.Select(v => (object?)v).ToArray();
    }

    // Dates become days since 1970-01-01 and instants microseconds, whichever CLR type the reader chose for them.
    private static object? Comparable(int column, object? value) => (Columns[column].Kind, value) switch
    {
        (ColumnKind.Date, DateOnly day) => (long)(day.DayNumber - UnixEpochDay),
        (ColumnKind.Date, DateTime day) => (long)(DateOnly.FromDateTime(day).DayNumber - UnixEpochDay),
        (ColumnKind.Timestamp, DateTime instant) => Microseconds(DateTime.SpecifyKind(instant, DateTimeKind.Utc)),
        (ColumnKind.Timestamp, DateTimeOffset instant) => Microseconds(instant.UtcDateTime),
        _ => value,
    };

    private static long Microseconds(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks / 10;

    // A file in the temporary folder, deleted when disposed.
    private sealed class TemporaryFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"part-file-{Guid.NewGuid():N}.parquet");

        public void Dispose() => File.Delete(Path);
    }

    // A file whose writes fail once Failing is set, as on a full disk.
    private sealed class FailingFileStream(string path) : FileStream(path, FileMode.Create, FileAccess.ReadWrite)
    {
        public bool Failing { get; set; }

        public bool Disposed { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Failing)
            {
                throw new IOException("No space left on device.");
            }

            base.Write(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed record Row(
        long Id, string Required, string? Optional, string Category, string? Region, string Code, string? UniqueKey, int Small,
        double Ratio, bool Flag, DateOnly Day, DateTime At, DateTime? Updated);

    // Orders strings by their UTF-8 bytes, the order Parquet defines for string statistics.
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) => Encoding.UTF8.GetBytes(x!).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y!));
    }
}

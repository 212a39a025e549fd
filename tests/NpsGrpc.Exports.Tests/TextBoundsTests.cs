using System.Text;
using NpsGrpc.Exports.Parquet;

namespace NpsGrpc.Exports.Tests;

/// <summary>The smallest and largest text value that the writer records for each column chunk.</summary>
public sealed class TextBoundsTests
{
    // Pieces of random values: ASCII, DEL, characters of two, three and four UTF-8 bytes, and a piece of 8 bytes that
    // gives values long common prefixes, so values differ before, at and after their eighth byte.
    private static readonly string[] Pieces = ["a", "b", "ab", "\u007f", "é", "\uffff", "😀", "abcdefgh"];

    private static readonly ColumnSpec[] Columns =
    [
        new("required_text", ColumnKind.Text),
        new("optional_text", ColumnKind.Text, Nullable: true),
    ];

    [Fact]
    public async Task RandomValues_BoundsInByteOrder()
    {
        var random = new Random(20261205);
        string path = Path.Combine(Path.GetTempPath(), $"text-bounds-{Guid.NewGuid():N}.parquet");
        var expected = new List<(string? RequiredMin, string? RequiredMax, string? OptionalMin, string? OptionalMax)>();
        try
        {
            var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite);
            await using (var writer = await PartFileWriter.CreateAsync(file, Columns, "bounds", null, path, path, CancellationToken.None))
            {
                var rows = new RowBuffer(Columns);
                for (int group = 0; group < 60; group++)
                {
                    var required = new List<string>();
                    var optional = new List<string>();
                    int rowCount = 1 + random.Next(40);
                    for (int row = 0; row < rowCount; row++)
                    {
                        string requiredValue = RandomValue(random);
                        required.Add(requiredValue);
                        rows.CopyUtf8(0, Encoding.UTF8.GetBytes(requiredValue));

                        // Some row groups have no optional value at all.
                        if (group % 7 != 3 && random.Next(4) != 0)
                        {
                            string optionalValue = RandomValue(random);
                            optional.Add(optionalValue);
                            rows.CopyUtf8(1, Encoding.UTF8.GetBytes(optionalValue));
                        }
                        else
                        {
                            rows.SetText(1, null);
                        }

                        rows.EndRow();
                    }

                    await writer.WriteRowGroupAsync(rows, CancellationToken.None);
                    rows.Clear();
                    expected.Add((ByteOrderMin(required), ByteOrderMax(required), ByteOrderMin(optional), ByteOrderMax(optional)));
                }

                await writer.CompleteAsync();
            }

            using var duck = ExportKit.OpenDuckDb();
            var bounds = ExportKit.Query(
                    duck, $"SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value FROM parquet_metadata('{path}')")
                .ToDictionary(r => (Convert.ToInt64(r[0]), (string)r[1]!), r => (Min: r[2] as string, Max: r[3] as string));
            for (int group = 0; group < expected.Count; group++)
            {
                Assert.Equal((expected[group].RequiredMin, expected[group].RequiredMax), bounds[((long)group, "required_text")]);
                Assert.Equal((expected[group].OptionalMin, expected[group].OptionalMax), bounds[((long)group, "optional_text")]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string RandomValue(Random random) =>
        string.Concat(Enumerable.Range(0, random.Next(4)).Select(_ => Pieces[random.Next(Pieces.Length)]));

    private static string? ByteOrderMin(List<string> values) => values.Count == 0 ? null : values.Order(ByteOrder.Instance).First();

    private static string? ByteOrderMax(List<string> values) => values.Count == 0 ? null : values.Order(ByteOrder.Instance).Last();

    // Orders strings by their UTF-8 bytes, one byte at a time, the order Parquet defines for its string statistics.
    private sealed class ByteOrder : IComparer<string>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            byte[] first = Encoding.UTF8.GetBytes(x!), second = Encoding.UTF8.GetBytes(y!);
            for (int i = 0; i < Math.Min(first.Length, second.Length); i++)
            {
                if (first[i] != second[i])
                {
                    return first[i] < second[i] ? -1 : 1;
                }
            }

            return first.Length.CompareTo(second.Length);
        }
    }
}

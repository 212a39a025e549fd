namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Rows and on-disk size of a table, with its indexes and TOAST data.</summary>
public sealed record TableSize(string Table, long Rows, long Bytes)
{
    /// <summary>The tables that a query reads: the raw rows and every rollup table.</summary>
    public static readonly string[] Tables =
    [
        "responses", "response_rollup_hourly", "response_rollup_daily", "response_rollup_monthly",
        "survey_rollup_hourly", "survey_rollup_daily", "survey_rollup_monthly",
    ];

    /// <summary>Counts the rows and reads the size of each of <see cref="Tables"/>.</summary>
    public static async Task<IReadOnlyList<TableSize>> ReadAsync(
        BenchmarkDatabase database, CancellationToken cancellationToken)
    {
        var sizes = new List<TableSize>();
        foreach (string table in Tables)
        {
            long rows = await database.ScalarAsync<long>($"SELECT count(*) FROM {table}", cancellationToken);
            long bytes = await database.ScalarAsync<long>(
                $"SELECT pg_total_relation_size('{table}')", cancellationToken);
            sizes.Add(new TableSize(table, rows, bytes));
        }

        return sizes;
    }
}

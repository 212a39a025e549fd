using System.Diagnostics;
using System.Text;
using DuckDB.NET.Data;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>Figures of one DuckDB Parquet write.</summary>
/// <param name="Elapsed">Wall time of the COPY statement.</param>
/// <param name="Files">Parquet files written.</param>
/// <param name="Bytes">Size of the files written.</param>
/// <param name="Cpu">CPU time of this process (DuckDB runs in it), PostgreSQL and other processes.</param>
public sealed record DuckDbWriteResult(TimeSpan Elapsed, int Files, long Bytes, CpuTime Cpu);

/// <summary>
/// An in-memory DuckDB table with the rows and columns of the export's <c>fact_response</c> table, to time DuckDB's
/// Parquet writer on the same data.
/// </summary>
public sealed class DuckDbParquet : IDisposable
{
    private const string CsvColumns =
        "{'response_id': 'VARCHAR', 'survey_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'responded_at': 'TIMESTAMPTZ', " +
        "'received_at': 'TIMESTAMPTZ', 'score': 'INTEGER', 'weight': 'DOUBLE', 'comment': 'VARCHAR', " +
        "'channel': 'VARCHAR', 'plan': 'VARCHAR', 'region': 'VARCHAR'}";

    private readonly DuckDBConnection _connection;

    private DuckDbParquet(DuckDBConnection connection) => _connection = connection;

    /// <summary>Rows in the DuckDB table.</summary>
    public long Rows { get; private init; }

    /// <summary>Time to export the rows from PostgreSQL into the CSV file.</summary>
    public TimeSpan ExportTime { get; private init; }

    /// <summary>Time to load the CSV file into DuckDB.</summary>
    public TimeSpan LoadTime { get; private init; }

    /// <summary>DuckDB library version.</summary>
    public string Version { get; private init; } = string.Empty;

    /// <summary>
    /// Exports the survey's responses from PostgreSQL as CSV to <paramref name="csvPath"/> and loads them into a table
    /// <c>fact_response</c> of a new in-memory DuckDB database, with the derived columns the export writes: the local
    /// date in <see cref="ExportSettings.TimeZone"/>, the category and its indicators, and a weight of 1 for none. The
    /// caller deletes the file.
    /// </summary>
    public static async Task<DuckDbParquet> CreateAsync(
        BenchmarkDatabase database, string surveyId, string csvPath, CancellationToken cancellationToken)
    {
        string exportSql =
            "COPY (SELECT response_id, survey_id, customer_id, responded_at, received_at, score, weight, comment, " +
            string.Join(", ", ExportSettings.AttributeKeys.Select(key => $"attributes ->> '{key}'")) +
            $" FROM responses WHERE survey_id = '{surveyId}') TO STDOUT (FORMAT csv)";
        var stopwatch = Stopwatch.StartNew();
        await using (var postgres = await database.OpenAsync(cancellationToken))
        await using (var file = new StreamWriter(csvPath, append: false, new UTF8Encoding(false), 1 << 20))
        {
            using var export = await postgres.BeginTextExportAsync(exportSql, cancellationToken);
            var buffer = new char[1 << 16];
            int read;
            while ((read = await export.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }

        var exportTime = stopwatch.Elapsed;
        stopwatch.Restart();
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            connection.Open();
            Execute(connection, "SET TimeZone = 'UTC'");
            Execute(connection,
                $"""
                CREATE TABLE fact_response AS
                SELECT response_id, survey_id, customer_id,
                       CAST(timezone('{ExportSettings.TimeZone}', responded_at) AS DATE) AS response_date,
                       responded_at, received_at, score,
                       CASE WHEN score >= 9 THEN 'promoter' WHEN score >= 7 THEN 'passive' ELSE 'detractor' END
                           AS category,
                       CAST(score >= 9 AS INTEGER) AS is_promoter,
                       CAST(score IN (7, 8) AS INTEGER) AS is_passive,
                       CAST(score <= 6 AS INTEGER) AS is_detractor,
                       coalesce(weight, 1) AS weight, comment,
                       {string.Join(", ", ExportSettings.AttributeKeys.Select(key => $"{key} AS attr_{key}"))}
                FROM read_csv('{csvPath}', header = false, columns = {CsvColumns})
                """);
            long rows = Scalar<long>(connection, "SELECT count(*) FROM fact_response");
            return new DuckDbParquet(connection)
            {
                Rows = rows,
                ExportTime = exportTime,
                LoadTime = stopwatch.Elapsed,
                Version = Scalar<string>(connection, "SELECT version()"),
            };
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Times <c>COPY fact_response TO 'PATH' (FORMAT parquet)</c>, one file with DuckDB's defaults (Snappy, row
    /// groups of 122,880 rows).
    /// </summary>
    public DuckDbWriteResult WriteFile(string path, CpuMeter meter)
    {
        var result = TimeCopy($"COPY fact_response TO '{path}' (FORMAT parquet)", meter);
        return result with { Files = 1, Bytes = new FileInfo(path).Length };
    }

    /// <summary>
    /// Times <c>COPY fact_response TO 'FOLDER' (FORMAT parquet, PARTITION_BY (response_date))</c>, one Hive-style
    /// folder per local date as the export writes.
    /// </summary>
    public DuckDbWriteResult WritePartitioned(string folder, CpuMeter meter)
    {
        var result = TimeCopy($"COPY fact_response TO '{folder}' (FORMAT parquet, PARTITION_BY (response_date))", meter);
        var files = Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories)
            .Select(file => new FileInfo(file).Length)
            .ToList();
        return result with { Files = files.Count, Bytes = files.Sum() };
    }

    /// <summary>
    /// Counts the rows of the Parquet files that match <paramref name="glob"/>. The files' own response_date column is
    /// read, not the folder names.
    /// </summary>
    public long CountParquetRows(string glob) =>
        Scalar<long>(_connection, $"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = false)");

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private DuckDbWriteResult TimeCopy(string sql, CpuMeter meter)
    {
        var cpuBefore = meter.Read();
        var stopwatch = Stopwatch.StartNew();
        Execute(_connection, sql);
        var elapsed = stopwatch.Elapsed;
        return new DuckDbWriteResult(elapsed, 0, 0, meter.Read() - cpuBefore);
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }
}

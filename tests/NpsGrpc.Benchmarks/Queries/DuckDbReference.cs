using System.Diagnostics;
using System.Text;
using DuckDB.NET.Data;
using Npgsql;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>
/// An in-memory DuckDB copy of the benchmark's responses, with region, plan and channel as plain columns, to time the
/// same questions in an analytical engine.
/// </summary>
public sealed class DuckDbReference : IDisposable
{
    private const string ExportSql =
        "COPY (SELECT survey_id, response_id, score, responded_at, attributes ->> 'region', " +
        "attributes ->> 'plan', attributes ->> 'channel', weight FROM responses) TO STDOUT (FORMAT csv)";

    private const string Columns =
        "{'survey_id': 'VARCHAR', 'response_id': 'VARCHAR', 'score': 'TINYINT', 'responded_at': 'TIMESTAMPTZ', " +
        "'region': 'VARCHAR', 'plan': 'VARCHAR', 'channel': 'VARCHAR', 'weight': 'DOUBLE'}";

    private readonly DuckDBConnection _connection;

    private DuckDbReference(DuckDBConnection connection) => _connection = connection;

    /// <summary>Rows in the DuckDB table.</summary>
    public long Rows { get; private init; }

    /// <summary>Time to export the rows from PostgreSQL into the CSV file.</summary>
    public TimeSpan ExportTime { get; private init; }

    /// <summary>Time to load the CSV file into DuckDB.</summary>
    public TimeSpan LoadTime { get; private init; }

    /// <summary>DuckDB library version.</summary>
    public string Version { get; private init; } = string.Empty;

    /// <summary>
    /// Exports every response from PostgreSQL as CSV to <paramref name="csvPath"/> and loads it into a table
    /// <c>responses</c> of a new in-memory DuckDB database. The caller deletes the file.
    /// </summary>
    public static async Task<DuckDbReference> CreateAsync(
        BenchmarkDatabase database, string csvPath, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await using (var postgres = await database.OpenAsync(cancellationToken))
        await using (var file = new StreamWriter(csvPath, append: false, new UTF8Encoding(false), 1 << 20))
        {
            using var export = await postgres.BeginTextExportAsync(ExportSql, cancellationToken);
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
                $"CREATE TABLE responses AS SELECT * FROM read_csv('{csvPath}', header = false, columns = {Columns})");
            long rows = Scalar<long>(connection, "SELECT count(*) FROM responses");
            return new DuckDbReference(connection)
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
    /// Runs a question's SQL and reduces the result to its counts, and adds the sum of the groups as the overall counts
    /// when <see cref="NpsQuestion.SumGroupsAsOverall"/> is set.
    /// </summary>
    public CountTable Count(NpsQuestion question)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = question.DuckDbSql;
        using var reader = command.ExecuteReader();
        int groupColumns = reader.FieldCount - 4;
        var table = new CountTable();
        while (reader.Read())
        {
            var keys = Enumerable.Range(0, groupColumns)
                .Select(column => $"{reader.GetName(column)}={Value(reader, column)}");
            string key = groupColumns == 0 ? CountTable.OverallKey : string.Join(", ", keys);
            table.Add(key, new CategoryCounts(
                reader.GetInt64(groupColumns), reader.GetInt64(groupColumns + 1), reader.GetInt64(groupColumns + 2)));
        }

        if (question.SumGroupsAsOverall)
        {
            table.Add(CountTable.OverallKey, table.Sum());
        }

        return table;
    }

    /// <summary>Returns the result of a query that returns one value, such as a time zone conversion check.</summary>
    public T Scalar<T>(string sql) => Scalar<T>(_connection, sql);

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private static string Value(DuckDBDataReader reader, int column) =>
        reader.IsDBNull(column) ? "(missing)" : reader.GetString(column);

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

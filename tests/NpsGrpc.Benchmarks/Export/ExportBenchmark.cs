using System.Diagnostics;
using NpsGrpc.Benchmarks.Generation;
using NpsGrpc.Testing;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>
/// Loads generated responses into a fresh database and times, in one process, a full Parquet export run through
/// ExportService, psql's binary \copy of the same columns, and DuckDB writing the same rows as Parquet.
/// </summary>
public sealed class ExportBenchmark(ExportSettings settings, TextWriter output)
{
    /// <summary>Runs the benchmark in a fresh database and work folder, and removes both at the end, also after a failure.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var report = new ExportReport(output);
        report.PrintParameters(settings, MachineInfo.Read());

        await using var database = settings.ExistingDatabase is { } existing
            ? await BenchmarkDatabase.OpenExistingAsync(existing, cancellationToken)
            : await BenchmarkDatabase.CreateAsync(cancellationToken);
        database.KeepOnDispose |= settings.KeepDatabase;
        if (database.KeepOnDispose)
        {
            output.WriteLine(settings.ExistingDatabase is null
                ? $"  The database {database.Name} is kept at the end (--keep-database)."
                : $"  The database {database.Name} was loaded by an earlier run and is kept (--database).");
        }

        string workFolder = Path.Combine(Path.GetTempPath(), database.Name);
        Directory.CreateDirectory(workFolder);
        try
        {
            await RunInDatabaseAsync(database, workFolder, report, cancellationToken);
        }
        finally
        {
            Directory.Delete(workFolder, recursive: true);
        }
    }

    private async Task RunInDatabaseAsync(
        BenchmarkDatabase database, string workFolder, ExportReport report, CancellationToken cancellationToken)
    {
        await using var server = await RunningServer.StartAsync(database.ConnectionString);
        CpuMeter meter;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            report.PrintPostgreSql(await PostgreSqlInfo.ReadAsync(connection, cancellationToken), database.Name);
            meter = CpuMeter.ForBackend(connection.ProcessID);
        }

        report.PrintWorkFolder(workFolder);
        string surveyId;
        if (settings.ExistingDatabase is null)
        {
            surveyId = await server.CreateSurveyAsync("bench");
            await LoadAsync(database, surveyId, report, cancellationToken);
        }
        else
        {
            surveyId = await ExistingSurveyAsync(database, cancellationToken);
        }

        // Nothing is loaded after this, so the export's first run covers every load sequence value handed out.
        long highMark = await database.ScalarAsync<long>("SELECT last_value FROM response_load_seq", cancellationToken);
        string query = PsqlReadOut.Query(surveyId, highMark);
        string psqlPath = Path.Combine(workFolder, "psql-read-out.bin");
        report.PrintPsqlQuery(query);
        var warmUp = await PsqlReadOut.RunAsync(database.Connection, query, psqlPath, meter, cancellationToken);
        File.Delete(psqlPath);
        report.PrintPsql(warmUp, "warm-up, not timed");
        CheckRows("The psql warm-up", warmUp.Rows);

        string destination = Path.Combine(workFolder, "export");
        var export = await new TimedExportRun(server.Exports, database, meter)
            .RunAsync(surveyId, destination, settings.Rows, cancellationToken);
        report.PrintExport(export, settings.Rows);

        var psql = await PsqlReadOut.RunAsync(database.Connection, query, psqlPath, meter, cancellationToken);
        File.Delete(psqlPath);
        report.PrintPsql(psql, "timed");
        CheckRows("The psql read-out", psql.Rows);

        // Further pairs write elsewhere, because DuckDB counts the rows of the first export below. Their files stay until
        // the work folder is deleted at the end. ext4 passes over recently freed inodes when it allocates one, so
        // deleting a round's thousands of files would slow the next round's file creation, unlike a server's runs.
        var ratios = new List<double> { export.Elapsed / psql.Elapsed };
        var scaledRatios = new List<double> { ScaledRatio(export, psql) };
        for (int round = 2; round <= settings.Rounds; round++)
        {
            string roundDestination = $"{destination}-{round}";
            var roundExport = await new TimedExportRun(server.Exports, database, meter)
                .RunAsync(surveyId, roundDestination, settings.Rows, cancellationToken);
            report.PrintExport(roundExport, settings.Rows);
            var roundPsql = await PsqlReadOut.RunAsync(database.Connection, query, psqlPath, meter, cancellationToken);
            File.Delete(psqlPath);
            report.PrintPsql(roundPsql, $"timed, round {round}");
            CheckRows("The psql read-out", roundPsql.Rows);
            ratios.Add(roundExport.Elapsed / roundPsql.Elapsed);
            scaledRatios.Add(ScaledRatio(roundExport, roundPsql));
        }

        var npgsql = await NpgsqlReadOut.RunAsync(database, surveyId, highMark, meter, cancellationToken);
        report.PrintNpgsql(npgsql, export);
        CheckRows("The in-process read of the fact COPY", npgsql.Rows);

        string csvPath = Path.Combine(workFolder, "duckdb-load.csv");
        using var duckDb = await DuckDbParquet.CreateAsync(database, surveyId, csvPath, cancellationToken);
        File.Delete(csvPath);
        report.PrintDuckDbLoad(duckDb);
        CheckRows("The DuckDB table", duckDb.Rows);
        long exportedRows = duckDb.CountParquetRows(Path.Combine(destination, "fact_response", "**", "*.parquet"));
        report.PrintExportedRows(exportedRows);
        CheckRows("DuckDB's count of the exported fact files", exportedRows);

        string duckDbFile = Path.Combine(workFolder, "duckdb.parquet");
        var duckDbSingle = duckDb.WriteFile(duckDbFile, meter);
        File.Delete(duckDbFile);
        report.PrintDuckDbWrite(duckDbSingle, "one file");

        string duckDbFolder = Path.Combine(workFolder, "duckdb-partitioned");
        var duckDbPartitioned = duckDb.WritePartitioned(duckDbFolder, meter);
        Directory.Delete(duckDbFolder, recursive: true);
        report.PrintDuckDbWrite(duckDbPartitioned, "PARTITION_BY (response_date)");

        report.PrintSummary(settings.Rows, export, psql, npgsql, duckDbSingle, duckDbPartitioned, ratios, scaledRatios);
    }

    // The export / psql ratio of a round as if the host had run at one speed during both timings. PostgreSQL runs the
    // same COPY statement in both, so its CPU time for each shows the host's speed at that moment. NaN when either
    // CPU time could not be read.
    private static double ScaledRatio(ExportRunResult export, PsqlReadOutResult psql) =>
        export.Cpu.PostgreSql > 0 && psql.Cpu.PostgreSql > 0
            ? export.Elapsed / psql.Elapsed * (psql.Cpu.PostgreSql / export.Cpu.PostgreSql)
            : double.NaN;

    private async Task LoadAsync(
        BenchmarkDatabase database, string surveyId, ExportReport report, CancellationToken cancellationToken)
    {
        report.PrintLoadStart();
        var responses = new ResponseGenerator(settings.Seed).Stream(settings.Rows);
        var comments = settings.CommentBytes > 0 ? new CommentText(settings.Seed, settings.CommentBytes) : null;
        var elapsed = await new DirectLoad(database, output)
            .RunAsync(responses, settings.Rows, surveyId, comments, cancellationToken);
        long stored = await database.ScalarAsync<long>("SELECT count(*) FROM responses", cancellationToken);
        CheckRows("The responses table", stored);

        var stopwatch = Stopwatch.StartNew();
        await database.ExecuteAsync(cancellationToken, "VACUUM ANALYZE responses", "CHECKPOINT");
        long bytes = await database.ScalarAsync<long>(
            "SELECT pg_total_relation_size('responses')", cancellationToken);
        report.PrintLoad(settings.Rows, elapsed, stopwatch.Elapsed, bytes);
    }

    // A kept database contains the one survey its first run loaded, and possibly targets and runs of earlier exports.
    private async Task<string> ExistingSurveyAsync(BenchmarkDatabase database, CancellationToken cancellationToken)
    {
        long surveys = await database.ScalarAsync<long>("SELECT count(*) FROM surveys", cancellationToken);
        if (surveys != 1)
        {
            throw new BenchmarkException(
                $"The database {database.Name} has {surveys} surveys, expected 1. Pass a database that an export benchmark run kept with --keep-database.");
        }

        long stored = await database.ScalarAsync<long>("SELECT count(*) FROM responses", cancellationToken);
        CheckRows($"The responses table of {database.Name}", stored);
        return await database.ScalarAsync<string>("SELECT survey_id FROM surveys", cancellationToken);
    }

    private void CheckRows(string source, long rows)
    {
        if (rows != settings.Rows)
        {
            throw new BenchmarkException($"{source} has {rows:N0} rows; expected {settings.Rows:N0}.");
        }
    }
}

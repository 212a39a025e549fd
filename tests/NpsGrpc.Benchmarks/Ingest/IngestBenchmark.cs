using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using NpsGrpc.Benchmarks.Generation;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>
/// Loads the same generated responses through StreamResponses on an in-process server and through psql's \copy,
/// into tables with the same columns, constraints and indexes, and prints the rates of both.
/// </summary>
public sealed class IngestBenchmark(IngestSettings settings, TextWriter output)
{
    private const string ReferenceTable = "ref_responses";

    private const string CurrentWalPositionSql = "SELECT pg_current_wal_lsn()::text";

    // Responses sent before timing, so that tiered JIT compilation has optimized the hot paths and the server's
    // pooled connections are open. On a 2-core machine, after a warm-up of 50,000 the first timed run still used
    // about 4 times the CPU of later runs.
    private const int WarmUpRows = 200_000;

    /// <summary>Runs the benchmark in a fresh database and drops it at the end, also after a failure.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var report = new IngestReport(output);
        var machine = MachineInfo.Read();
        report.PrintParameters(settings, machine);

        await using var database = await BenchmarkDatabase.CreateAsync(cancellationToken);
        string csvPath = Path.Combine(Path.GetTempPath(), $"{database.Name}.csv");
        try
        {
            await RunInDatabaseAsync(database, csvPath, report, cancellationToken);
        }
        finally
        {
            File.Delete(csvPath);
        }
    }

    private async Task RunInDatabaseAsync(
        BenchmarkDatabase database, string csvPath, IngestReport report, CancellationToken cancellationToken)
    {
        var serverSettings = new Dictionary<string, string?>();
        if (settings.BatchSize > 5000)
        {
            serverSettings["Ingest:MaxBatchSize"] = settings.BatchSize.ToString(CultureInfo.InvariantCulture);
        }

        await using var server = await RunningServer.StartAsync(database.ConnectionString, serverSettings);
        CpuMeter meter;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            report.PrintPostgreSql(await PostgreSqlInfo.ReadAsync(connection, cancellationToken), database.Name);
            meter = CpuMeter.ForBackend(connection.ProcessID);
        }

        await database.ExecuteAsync(
            cancellationToken, $"CREATE TABLE {ReferenceTable} (LIKE responses INCLUDING ALL)");
        string surveyId = await server.CreateSurveyAsync("bench");

        var stopwatch = Stopwatch.StartNew();
        var responses = new ResponseGenerator(settings.Seed).Generate(settings.Rows);
        var batches = RequestBatches.Build(responses, surveyId, settings.BatchSize);
        report.PrintGenerated(responses, batches.Count, stopwatch.Elapsed);

        stopwatch.Restart();
        CsvFile.Write(csvPath, responses, surveyId, DateTime.UtcNow);
        report.PrintCsvWritten(csvPath, new FileInfo(csvPath).Length, stopwatch.Elapsed);

        var rpc = new RpcIngestRun(server.Ingest);
        await WarmUpAsync(rpc, batches, cancellationToken);

        var results = new List<RunResult>();
        for (int round = 0; round < settings.Rounds; round++)
        {
            int streams = settings.Streams[round % settings.Streams.Count];
            bool rpcFirst = round % 2 == 0;
            report.PrintRoundStart(round + 1, rpcFirst);
            for (int step = 0; step < 2; step++)
            {
                var result = (step == 0) == rpcFirst
                    ? await TimeRpcAsync(rpc, batches, streams, surveyId, database, meter, cancellationToken)
                    : await TimePsqlAsync(csvPath, database, meter, cancellationToken);
                report.PrintRun(result);
                results.Add(result);
            }
        }

        report.PrintSummary(results);
    }

    private async Task WarmUpAsync(
        RpcIngestRun rpc, IReadOnlyList<StreamResponsesRequest> batches, CancellationToken cancellationToken)
    {
        var warmUp = batches.Take((WarmUpRows + settings.BatchSize - 1) / settings.BatchSize).ToList();
        var totals = await SendAsync(rpc, warmUp, settings.Streams.Max(), cancellationToken);
        if (totals.Rejected > 0)
        {
            throw new BenchmarkException(
                $"The server rejected {totals.Rejected} warm-up responses. First: {totals.FirstRejection}");
        }

        output.WriteLine($"Warm-up: {totals.Accepted:N0} responses through StreamResponses (not timed)");
    }

    private async Task<RunResult> TimeRpcAsync(
        RpcIngestRun rpc,
        IReadOnlyList<StreamResponsesRequest> batches,
        int streams,
        string surveyId,
        BenchmarkDatabase database,
        CpuMeter meter,
        CancellationToken cancellationToken)
    {
        await ResetTablesAsync(database, cancellationToken);
        string walBefore = await database.ScalarAsync<string>(CurrentWalPositionSql, cancellationToken);
        var before = meter.Read();
        var stopwatch = Stopwatch.StartNew();
        var totals = await SendAsync(rpc, batches, streams, cancellationToken);
        stopwatch.Stop();
        var cpu = meter.Read() - before;
        long walBytes = await WalBytesSinceAsync(database, walBefore, cancellationToken);

        if (totals.Accepted != settings.Rows || totals.Duplicates != 0 || totals.Rejected != 0)
        {
            throw new BenchmarkException(
                $"StreamResponses acknowledged {totals.Accepted} accepted, {totals.Duplicates} duplicate and " +
                $"{totals.Rejected} rejected responses; expected {settings.Rows} accepted and none else. " +
                $"First rejection: {totals.FirstRejection ?? "none"}");
        }

        long stored = await database.ScalarAsync<long>(
            $"SELECT count(*) FROM responses WHERE survey_id = '{surveyId}'", cancellationToken);
        CheckStored(stored, "responses");
        long bytes = await database.ScalarAsync<long>("SELECT pg_total_relation_size('responses')", cancellationToken);
        return new RunResult(RpcIngestRun.Method, streams, stored, stopwatch.Elapsed, cpu, bytes, walBytes);
    }

    private async Task<RunResult> TimePsqlAsync(
        string csvPath, BenchmarkDatabase database, CpuMeter meter, CancellationToken cancellationToken)
    {
        await ResetTablesAsync(database, cancellationToken);
        string walBefore = await database.ScalarAsync<string>(CurrentWalPositionSql, cancellationToken);
        var before = meter.Read();
        var stopwatch = Stopwatch.StartNew();
        long copied = await PsqlCopyRun.RunAsync(database.Connection, ReferenceTable, csvPath, cancellationToken);
        stopwatch.Stop();
        var cpu = meter.Read() - before;
        long walBytes = await WalBytesSinceAsync(database, walBefore, cancellationToken);

        long stored = await database.ScalarAsync<long>($"SELECT count(*) FROM {ReferenceTable}", cancellationToken);
        if (copied != stored)
        {
            throw new BenchmarkException($"psql reported COPY {copied} but {ReferenceTable} contains {stored} rows.");
        }

        CheckStored(stored, ReferenceTable);
        long bytes = await database.ScalarAsync<long>(
            $"SELECT pg_total_relation_size('{ReferenceTable}')", cancellationToken);
        return new RunResult(PsqlCopyRun.Method, 1, stored, stopwatch.Elapsed, cpu, bytes, walBytes);
    }

    private static async Task<long> WalBytesSinceAsync(
        BenchmarkDatabase database, string walBefore, CancellationToken cancellationToken) =>
        (long)await database.ScalarAsync<decimal>(
            $"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{walBefore}')", cancellationToken);

    private static async Task<AckTotals> SendAsync(
        RpcIngestRun rpc,
        IReadOnlyList<StreamResponsesRequest> batches,
        int streams,
        CancellationToken cancellationToken)
    {
        try
        {
            return await rpc.SendAsync(batches, streams, cancellationToken);
        }
        catch (RpcException exception)
        {
            throw new BenchmarkException(
                $"StreamResponses failed with {exception.StatusCode}: {exception.Status.Detail}");
        }
    }

    /// <summary>
    /// Empties both tables, vacuums them and writes a checkpoint, so that every timed load starts from empty tables
    /// and clean shared buffers, and no load pays for the previous one's dirty pages.
    /// </summary>
    private static async Task ResetTablesAsync(BenchmarkDatabase database, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync(
            cancellationToken,
            $"TRUNCATE responses, {ReferenceTable}",
            "VACUUM responses",
            $"VACUUM {ReferenceTable}",
            "CHECKPOINT");
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private void CheckStored(long stored, string table)
    {
        if (stored != settings.Rows)
        {
            throw new BenchmarkException($"{table} contains {stored} rows after the load. Expected {settings.Rows}.");
        }
    }
}

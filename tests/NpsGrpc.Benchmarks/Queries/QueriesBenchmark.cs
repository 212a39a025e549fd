using System.Diagnostics;
using System.Globalization;
using NpsGrpc.Benchmarks.Generation;
using NpsGrpc.Testing;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>
/// Loads generated responses through StreamResponses into a fresh database and times four NPS questions through the
/// gRPC client. Each question runs on a server that reads the rollups and on a second server on the same database
/// that reads the raw rows. DuckDB runs the same questions over a copy of the rows.
/// </summary>
public sealed class QueriesBenchmark(QueriesSettings settings, TextWriter output)
{
    private static readonly string[] RollupKeys = ["region", "plan", "channel"];

    /// <summary>Runs the benchmark in a fresh database and drops it at the end, also after a failure.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var report = new QueriesReport(output);
        report.PrintParameters(settings, MachineInfo.Read(), RollupKeys);

        await using var database = await BenchmarkDatabase.CreateAsync(cancellationToken);
        database.KeepOnDispose = settings.KeepDatabase;
        if (settings.KeepDatabase)
        {
            output.WriteLine($"  The database {database.Name} is kept at the end (--keep-database).");
        }

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
        BenchmarkDatabase database, string csvPath, QueriesReport report, CancellationToken cancellationToken)
    {
        await using var rollupServer = await RunningServer.StartAsync(database.ConnectionString, ServerSettings(true));
        CpuMeter meter;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            report.PrintPostgreSql(await PostgreSqlInfo.ReadAsync(connection, cancellationToken), database.Name);
            meter = CpuMeter.ForBackend(connection.ProcessID);
        }

        string surveyId = await rollupServer.CreateSurveyAsync("bench");
        await LoadAsync(rollupServer, surveyId, meter, report, cancellationToken);

        var stopwatch = Stopwatch.StartNew();
        await database.ExecuteAsync(
            cancellationToken, TableSize.Tables.Select(table => $"VACUUM ANALYZE {table}").ToArray());
        report.PrintVacuum(stopwatch.Elapsed);
        report.PrintTables(await TableSize.ReadAsync(database, cancellationToken));

        // The raw-row server shares the rollup keys, so that its start finds the rollups current and leaves them.
        await using var rawServer = await RunningServer.StartAsync(database.ConnectionString, ServerSettings(false));
        using var duckDb = await DuckDbReference.CreateAsync(database, csvPath, cancellationToken);
        File.Delete(csvPath);
        report.PrintDuckDb(duckDb);
        report.PrintTimeZoneCheck(TimeZoneCheck.Run(duckDb));

        var lastInstant = await database.ScalarAsync<DateTime>(
            "SELECT max(responded_at) FROM responses", cancellationToken);
        var windowStart = SurveyProfile.WindowEnd - SurveyProfile.Window;
        var questions = QuestionSet.Create(surveyId, windowStart, SurveyProfile.WindowEnd, lastInstant);
        report.PrintQuestionsStart(lastInstant, LoadAverage());

        var before = meter.Read();
        var results = new List<QuestionResult>();
        foreach (var question in questions)
        {
            var result = await QuestionRun.RunAsync(
                question, rollupServer.Query, rawServer.Query, duckDb, settings, cancellationToken);
            report.PrintQuestion(result);
            results.Add(result);
        }

        report.PrintQuestionsEnd(meter.Read() - before, LoadAverage());
        report.PrintSummary(results);
    }

    private async Task LoadAsync(
        RunningServer server,
        string surveyId,
        CpuMeter meter,
        QueriesReport report,
        CancellationToken cancellationToken)
    {
        report.PrintLoadStart(LoadAverage());
        var responses = new ResponseGenerator(settings.Seed).Stream(settings.Rows);
        var before = meter.Read();
        var load = await new StreamingLoad(server.Ingest, output).RunAsync(
            responses, settings.Rows, surveyId, QueriesSettings.BatchSize, QueriesSettings.Streams, cancellationToken);
        var cpu = meter.Read() - before;

        var totals = load.Acknowledgements;
        if (totals.Accepted != settings.Rows || totals.Duplicates != 0 || totals.Rejected != 0)
        {
            throw new BenchmarkException(
                $"StreamResponses acknowledged {totals.Accepted} accepted, {totals.Duplicates} duplicate and " +
                $"{totals.Rejected} rejected responses; expected {settings.Rows} accepted and none else. " +
                $"First rejection: {totals.FirstRejection ?? "none"}");
        }

        report.PrintLoad(load, settings.Rows, cpu, LoadAverage());
    }

    private static Dictionary<string, string?> ServerSettings(bool useRollups)
    {
        var values = new Dictionary<string, string?>
        {
            ["Rollups:UseForQueries"] = useRollups ? "true" : "false",
        };
        for (int index = 0; index < RollupKeys.Length; index++)
        {
            values[$"Rollups:AttributeKeys:{index.ToString(CultureInfo.InvariantCulture)}"] = RollupKeys[index];
        }

        return values;
    }

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown".</summary>
    private static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? string.Join(" ", File.ReadAllText(path).Split(' ').Take(3)) : "unknown";
    }
}

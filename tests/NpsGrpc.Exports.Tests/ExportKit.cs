using System.Data.Common;
using System.Text.Json;
using DuckDB.NET.Data;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Exports.Tests;

/// <summary>Helpers that create export targets, run them, and read what they wrote with DuckDB.</summary>
internal static class ExportKit
{
    // Every destination of this test process lives under one folder, deleted when the process exits.
    private static readonly Lazy<string> Root = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "nps-export-tests", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a server that is shutting down; the folder is under the temporary folder anyway.
            }
        };
        return root;
    });

    /// <summary>A fresh destination directory under the system's temporary folder.</summary>
    public static string NewDestination() => Path.Combine(Root.Value, Guid.NewGuid().ToString("N"));

    public static SurveyResponse Response(string id, int score, DateTimeOffset at, string customerId = "c-1", string? comment = null, params (string Key, string Value)[] attributes)
    {
        var response = new SurveyResponse
        {
            ResponseId = id,
            CustomerId = customerId,
            Score = score,
            RespondedAt = Timestamp.FromDateTimeOffset(at),
        };
        if (comment is not null)
        {
            response.Comment = comment;
        }

        foreach ((string key, string value) in attributes)
        {
            response.Attributes[key] = value;
        }

        return response;
    }

    /// <summary>Streams <paramref name="responses"/> in batches of 5,000 and checks every one was accepted.</summary>
    public static async Task IngestAsync(RunningServer server, string surveyId, IReadOnlyList<SurveyResponse> responses)
    {
        using var call = server.Ingest.StreamResponses(deadline: DateTime.UtcNow.AddMinutes(5));
        int batch = 0;
        foreach (var chunk in responses.Chunk(5000))
        {
            var request = new StreamResponsesRequest { SurveyId = surveyId, BatchId = $"b-{batch++}" };
            request.Responses.AddRange(chunk);
            await call.RequestStream.WriteAsync(request);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var result = call.ResponseStream.Current.Result;
            Assert.Equal(0, result.RejectedCount);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    public static Task<ExportTarget> CreateTargetAsync(
        RunningServer server, string destination, string surveyId, string timeZone = "UTC", int rowGroupRows = 0,
        string schedule = "", params string[] segmentKeys) =>
        CreateTargetAsync(server, destination, [surveyId], timeZone, rowGroupRows, schedule, segmentKeys);

    public static async Task<ExportTarget> CreateTargetAsync(
        RunningServer server, string destination, IReadOnlyList<string> surveyIds, string timeZone = "UTC", int rowGroupRows = 0,
        string schedule = "", params string[] segmentKeys)
    {
        var target = new ExportTarget
        {
            TargetId = "x-" + Guid.NewGuid().ToString("N")[..20],
            DisplayName = "test export",
            Destination = destination,
            TimeZone = timeZone,
            RowGroupRows = rowGroupRows,
            Schedule = schedule,
        };
        target.SurveyIds.AddRange(surveyIds);
        target.SegmentKeys.AddRange(segmentKeys);
        return (await server.Exports.CreateExportTargetAsync(new CreateExportTargetRequest { Target = target })).Target;
    }

    /// <summary>Queues a run and waits until it ends; fails the test when it does not succeed.</summary>
    public static async Task<ExportRun> RunAsync(RunningServer server, string targetId, string restateFrom = "", string restateTo = "")
    {
        var run = (await server.Exports.RunExportAsync(new RunExportRequest
        {
            TargetId = targetId, RestateFrom = restateFrom, RestateTo = restateTo,
        })).Run;
        var ended = await WaitAsync(server, targetId, run.RunId);
        Assert.True(ended.State == ExportRunState.Succeeded, $"Run {run.RunId} ended {ended.State}: {ended.Error}");
        return ended;
    }

    public static async Task<ExportRun> WaitAsync(RunningServer server, string targetId, long runId, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var run = (await server.Exports.GetExportRunAsync(new GetExportRunRequest { TargetId = targetId, RunId = runId })).Run;
            if (run.State is ExportRunState.Succeeded or ExportRunState.Failed)
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Run {runId} did not end within {seconds} s; it is {run.State}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The latest manifest of a destination.</summary>
    public static JsonElement LatestManifest(string destination) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(destination, "_manifests", "latest.json"))).RootElement;

    /// <summary>Absolute paths of the files the latest manifest lists for <paramref name="table"/>.</summary>
    public static List<string> TableFiles(string destination, string table) =>
        LatestManifest(destination).GetProperty("tables").GetProperty(table).EnumerateArray()
            .Select(f => Path.Combine(destination, f.GetProperty("path").GetString()!))
            .ToList();

    /// <summary>A DuckDB list literal of the table's files, for read_parquet.</summary>
    public static string FileList(string destination, string table) =>
        "[" + string.Join(", ", TableFiles(destination, table).Select(p => "'" + p.Replace("'", "''", StringComparison.Ordinal) + "'")) + "]";

    public static DuckDBConnection OpenDuckDb()
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        return connection;
    }

    /// <summary>Runs a DuckDB query and returns its rows as arrays of values.</summary>
    public static List<object?[]> Query(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using DbDataReader reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The column names and DuckDB types of <paramref name="table"/> as DESCRIBE reports them.</summary>
    public static Dictionary<string, string> Describe(DuckDBConnection connection, string destination, string table) =>
        Query(connection, $"DESCRIBE SELECT * FROM read_parquet({FileList(destination, table)}, union_by_name = true)")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);

    public static long Scalar(DuckDBConnection connection, string sql) => Convert.ToInt64(Query(connection, sql).Single()[0]);

    /// <summary>The smallest and largest value of each column of a file with one row group, from its statistics.</summary>
    public static Dictionary<string, (string? Min, string? Max)> ColumnBounds(DuckDBConnection connection, string file) =>
        Query(connection, $"SELECT path_in_schema, stats_min_value, stats_max_value FROM parquet_metadata('{file}')")
            .ToDictionary(r => (string)r[0]!, r => (r[1] as string, r[2] as string));
}

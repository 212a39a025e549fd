using System.Diagnostics;
using Dapper;
using Npgsql;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Exports.Tests;

/// <summary>Kills a server process in the middle of an export and checks that the next instance redoes the run.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task KilledRun_IsRedoneCleanly()
    {
        await using var database = await TestDatabase.CreateAsync("nps_crash");
        string destination = ExportKit.NewDestination();
        const int Rows = 200_000;
        string comment = new('x', 400);

        ExportTarget target;
        long runId;
        string apiKey = await TestApiKeys.CreateInDatabaseAsync(database.ConnectionString);
        using (var process = StartServerProcess(database.ConnectionString, out string address))
        {
            try
            {
                using var channel = TestApiKeys.OpenChannel(address, apiKey);
                var surveys = new SurveyService.SurveyServiceClient(channel);
                await WaitForServerAsync(surveys, process);
                string surveyId = "crash-" + Guid.NewGuid().ToString("N")[..8];
                await surveys.CreateSurveyAsync(new CreateSurveyRequest { Survey = new Survey { SurveyId = surveyId, DisplayName = "crash" } });

                var ingest = new IngestService.IngestServiceClient(channel);
                var start = new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero);
                using (var call = ingest.StreamResponses())
                {
                    foreach (var chunk in Enumerable.Range(0, Rows).Chunk(5000))
                    {
                        var request = new StreamResponsesRequest { SurveyId = surveyId, BatchId = $"b{chunk[0]}" };
                        request.Responses.AddRange(chunk.Select(i => ExportKit.Response($"c{i}", i % 11, start.AddSeconds(i * 4), $"cust{i % 1000}", comment)));
                        await call.RequestStream.WriteAsync(request);
                        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                    }

                    await call.RequestStream.CompleteAsync();
                    while (await call.ResponseStream.MoveNext(CancellationToken.None))
                    {
                    }
                }

                var exports = new ExportService.ExportServiceClient(channel);
                var request2 = new ExportTarget { TargetId = "crash-target", Destination = destination, RowGroupRows = 1000 };
                request2.SurveyIds.Add(surveyId);
                target = (await exports.CreateExportTargetAsync(new CreateExportTargetRequest { Target = request2 })).Target;
                runId = (await exports.RunExportAsync(new RunExportRequest { TargetId = target.TargetId })).Run.RunId;

                // Kill the server as soon as the run has staged its first file.
                string staging = Path.Combine(destination, "_staging");
                var deadline = DateTime.UtcNow.AddMinutes(2);
                while (!(Directory.Exists(staging) && Directory.EnumerateFiles(staging, "*.parquet", SearchOption.AllDirectories).Any()))
                {
                    Assert.True(DateTime.UtcNow < deadline, "The run never staged a file.");
                    await Task.Delay(2);
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            var state = await connection.QuerySingleAsync<(string State, int Attempts)>(
                "SELECT state, attempts FROM export_runs WHERE run_id = @runId", new { runId });
            Assert.Equal(("running", 1), state);
        }

        Assert.False(File.Exists(Path.Combine(destination, "_manifests", "latest.json")));

        // A new instance finds the run unfinished with its lock free, cleans it up and runs it again.
        await using var server = await RunningServer.StartAsync(
            database.ConnectionString, new Dictionary<string, string?> { ["Exports:PollInterval"] = "00:00:00.100" });
        var redone = await ExportKit.WaitAsync(server, target.TargetId, runId);
        Assert.Equal(ExportRunState.Succeeded, redone.State);
        Assert.Equal(2, redone.Attempts);
        Assert.Equal(Rows, redone.RowsWritten);

        Assert.False(Directory.Exists(Path.Combine(destination, "_staging", $"run-{runId:D10}")));
        var listed = ExportKit.LatestManifest(destination).GetProperty("tables").EnumerateObject()
            .SelectMany(t => t.Value.EnumerateArray()).Select(f => f.GetProperty("path").GetString()!).Order().ToList();
        var onDisk = Directory.GetFiles(destination, "*.parquet", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(destination, p)).Order().ToList();
        Assert.Equal(listed, onDisk);

        using var duck = ExportKit.OpenDuckDb();
        string fact = $"read_parquet({ExportKit.FileList(destination, "fact_response")})";
        Assert.Equal(Rows, ExportKit.Scalar(duck, $"SELECT count(*) FROM {fact}"));
        Assert.Equal(Rows, ExportKit.Scalar(duck, $"SELECT count(DISTINCT response_id) FROM {fact}"));
    }

    private static Process StartServerProcess(string connectionString, out string address)
    {
        address = $"http://127.0.0.1:{ServerProcessStart.FreeLoopbackPort()}";
        var start = ServerProcessStart.Create(connectionString, address);
        start.Environment["Exports__PollInterval"] = "00:00:00.100";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForServerAsync(SurveyService.SurveyServiceClient surveys, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, $"The server process exited with code {(process.HasExited ? process.ExitCode : 0)}.");
            try
            {
                await surveys.ListSurveysAsync(new ListSurveysRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}

using Dapper;
using Npgsql;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Exports.Tests;

/// <summary>Runs that lose their lock or fail after recording their files.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private TestDatabase? _database;

    private string ConnectionString => _database!.ConnectionString;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync("nps_faults");

    public async Task DisposeAsync() => await (_database?.DisposeAsync() ?? ValueTask.CompletedTask);

    [Fact]
    public async Task LostLock_NewInstanceTakesOver()
    {
        await using var first = await RunningServer.StartAsync(ConnectionString, Settings("first"));
        string surveyId = await first.CreateSurveyAsync("lostlock");
        string destination = ExportKit.NewDestination();
        const int Rows = 150_000;
        string comment = string.Concat(Enumerable.Repeat("slow export ", 30));
        var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        await ExportKit.IngestAsync(first, surveyId, Enumerable.Range(0, Rows).Select(i => ExportKit.Response($"l{i}", i % 11, start.AddSeconds(i * 17), $"c{i % 500}", comment)).ToList());
        var target = await ExportKit.CreateTargetAsync(first, destination, surveyId, rowGroupRows: 1000);
        long runId = (await first.Exports.RunExportAsync(new RunExportRequest { TargetId = target.TargetId })).Run.RunId;

        // Once the first instance is writing, end the session that holds its lock, as an administrator or a network
        // failure would, and let a second instance take the target over.
        await WaitForStagedFileAsync(destination);
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            int ended = await connection.ExecuteScalarAsync<int>(
                """
                SELECT count(pg_terminate_backend(pid)) FROM pg_locks
                WHERE locktype = 'advisory' AND classid = 1852863352 AND objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """);
            Assert.Equal(1, ended);
        }

        await using var second = await RunningServer.StartAsync(ConnectionString, Settings("second"));
        var run = await ExportKit.WaitAsync(second, target.TargetId, runId, seconds: 300);
        Assert.Equal(ExportRunState.Succeeded, run.State);
        Assert.Equal(Rows, run.RowsWritten);

        // Give the first instance time to reach its next step and find that it was taken over.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (Directory.EnumerateFiles(Path.Combine(destination, "_staging"), "*", SearchOption.AllDirectories).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, "The first instance's staged files were never removed.");
            await Task.Delay(100);
        }

        await Task.Delay(500);
        var listed = ExportKit.LatestManifest(destination).GetProperty("tables").EnumerateObject()
            .SelectMany(t => t.Value.EnumerateArray()).Select(f => f.GetProperty("path").GetString()!).Order().ToList();
        var onDisk = Directory.GetFiles(destination, "*.parquet", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(destination, p)).Order().ToList();
        Assert.Equal(listed, onDisk);
        Assert.Equal(ExportRunState.Succeeded, (await second.Exports.GetExportRunAsync(new GetExportRunRequest { TargetId = target.TargetId, RunId = runId })).Run.State);

        using var duck = ExportKit.OpenDuckDb();
        Assert.Equal(Rows, ExportKit.Scalar(duck, $"SELECT count(DISTINCT response_id) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})"));
        Assert.Equal(Rows, ExportKit.Scalar(duck, $"SELECT count(*) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})"));
    }

    [Fact]
    public async Task ManifestWriteFails_PublishedLater()
    {
        await using var server = await RunningServer.StartAsync(ConnectionString, Settings("only"));
        string surveyId = await server.CreateSurveyAsync("nomanifest");
        string destination = ExportKit.NewDestination();
        var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        await ExportKit.IngestAsync(server, surveyId, Enumerable.Range(0, 50).Select(i => ExportKit.Response($"n{i}", i % 11, start.AddHours(i))).ToList());
        var target = await ExportKit.CreateTargetAsync(server, destination, surveyId);

        // A file where the manifest folder belongs makes publishing the manifest fail.
        Directory.CreateDirectory(destination);
        string blocker = Path.Combine(destination, "_manifests");
        await File.WriteAllTextAsync(blocker, "not a folder");
        long runId = (await server.Exports.RunExportAsync(new RunExportRequest { TargetId = target.TargetId })).Run.RunId;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.GetFiles(destination, "*.parquet", SearchOption.AllDirectories).Length < 5
               || Directory.EnumerateFileSystemEntries(Path.Combine(destination, "_staging")).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, "The run never moved its files into place.");
            await Task.Delay(50);
        }

        await Task.Delay(1000);
        var stuck = (await server.Exports.GetExportRunAsync(new GetExportRunRequest { TargetId = target.TargetId, RunId = runId })).Run;
        Assert.Equal(ExportRunState.Running, stuck.State);
        int filesWhileStuck = Directory.GetFiles(destination, "*.parquet", SearchOption.AllDirectories).Length;

        File.Delete(blocker);
        var run = await ExportKit.WaitAsync(server, target.TargetId, runId);
        Assert.Equal(ExportRunState.Succeeded, run.State);
        Assert.Equal(filesWhileStuck, Directory.GetFiles(destination, "*.parquet", SearchOption.AllDirectories).Length);
        using var duck = ExportKit.OpenDuckDb();
        Assert.Equal(50, ExportKit.Scalar(duck, $"SELECT count(*) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})"));

        var next = await ExportKit.RunAsync(server, target.TargetId);
        Assert.Equal(0, next.RowsWritten);
        Assert.Equal(50, ExportKit.Scalar(duck, $"SELECT count(*) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})"));
    }

    private static async Task WaitForStagedFileAsync(string destination)
    {
        string staging = Path.Combine(destination, "_staging");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(Directory.Exists(staging) && Directory.EnumerateFiles(staging, "*.parquet", SearchOption.AllDirectories).Any()))
        {
            Assert.True(DateTime.UtcNow < deadline, "The run never staged a file.");
            await Task.Delay(2);
        }
    }

    private static Dictionary<string, string?> Settings(string instance) => new()
    {
        ["Exports:PollInterval"] = "00:00:00.100",
        ["Exports:InstanceName"] = instance,
    };
}

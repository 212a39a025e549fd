using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Exports.Tests;

/// <summary>Runs after the first: late responses, restatements, nothing exported twice.</summary>
[Collection(ServerCollection.Name)]
public sealed class IncrementalRunTests(ServerFixture fixture)
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task LateResponses_NewFileOldUntouched()
    {
        string surveyId = await Server.CreateSurveyAsync("late");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, surveyId, Enumerable.Range(0, 40).Select(i => ExportKit.Response($"a{i}", i % 11, Monday.AddHours(i % 2 * 24))).ToList());
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        var first = await ExportKit.RunAsync(Server, target.TargetId);
        Assert.Equal(40, first.RowsWritten);

        string mondayFolder = Path.Combine(destination, "fact_response", "response_date=2026-11-02");
        var before = Directory.GetFiles(mondayFolder).ToDictionary(f => f, f => (File.GetLastWriteTimeUtc(f), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));
        string oldDaily = Assert.Single(ExportKit.TableFiles(destination, "daily_nps"));

        // Five late responses for Monday, and a run with nothing new after them.
        await ExportKit.IngestAsync(Server, surveyId, Enumerable.Range(0, 5).Select(i => ExportKit.Response($"late{i}", 10, Monday.AddMinutes(i))).ToList());
        var second = await ExportKit.RunAsync(Server, target.TargetId);
        Assert.Equal(5, second.RowsWritten);
        var third = await ExportKit.RunAsync(Server, target.TargetId);
        Assert.Equal(0, third.RowsWritten);

        var after = Directory.GetFiles(mondayFolder);
        Assert.Equal(before.Count + 1, after.Length);
        foreach ((string path, var stamp) in before)
        {
            Assert.Equal(stamp.Item1, File.GetLastWriteTimeUtc(path));
            Assert.Equal(stamp.Item2, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
        }

        // The superseded daily file is gone, and the new one contains all of Monday.
        Assert.False(File.Exists(oldDaily));
        using var duck = ExportKit.OpenDuckDb();
        Assert.Equal(45, ExportKit.Scalar(duck, $"SELECT count(DISTINCT response_id) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})"));
        Assert.Equal(45, ExportKit.Scalar(duck, $"SELECT count(*) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})"));
        Assert.Equal(25, ExportKit.Scalar(duck, $"SELECT CAST(sum(responses) AS BIGINT) FROM read_parquet({ExportKit.FileList(destination, "daily_nps")}) WHERE response_date = DATE '2026-11-02'"));

        // Every file the manifest lists exists with its recorded size and checksum, and nothing else is published.
        var manifest = ExportKit.LatestManifest(destination);
        var listed = manifest.GetProperty("tables").EnumerateObject().SelectMany(t => t.Value.EnumerateArray()).ToList();
        foreach (var file in listed)
        {
            string full = Path.Combine(destination, file.GetProperty("path").GetString()!);
            Assert.Equal(file.GetProperty("bytes").GetInt64(), new FileInfo(full).Length);
            Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(full))));
        }

        var onDisk = Directory.GetFiles(destination, "*.parquet", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(destination, p)).Order();
        Assert.Equal(listed.Select(f => f.GetProperty("path").GetString()!).Order(), onDisk);
        Assert.Equal(third.RunId, manifest.GetProperty("run_id").GetInt64());
    }

    [Fact]
    public async Task Restatement_ReplacesRangeKeepsWatermark()
    {
        string surveyId = await Server.CreateSurveyAsync("restate");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, surveyId, Enumerable.Range(0, 30).Select(i => ExportKit.Response($"r{i}", i % 11, Monday.AddDays(i % 3))).ToList());
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);
        string tuesdayBefore = Assert.Single(ExportKit.TableFiles(destination, "fact_response"), f => f.Contains("2026-11-03", StringComparison.Ordinal));
        string mondayBefore = Assert.Single(ExportKit.TableFiles(destination, "fact_response"), f => f.Contains("2026-11-02", StringComparison.Ordinal));

        // A response stored after the last run is not part of the restatement: it waits for the next incremental run.
        await ExportKit.IngestAsync(Server, surveyId, [ExportKit.Response("new", 10, Monday.AddDays(1))]);
        var restated = await ExportKit.RunAsync(Server, target.TargetId, "2026-11-03", "2026-11-04");
        Assert.Equal(20, restated.RowsWritten);
        Assert.Equal("2026-11-03", restated.RestateFrom);

        Assert.False(File.Exists(tuesdayBefore));
        Assert.True(File.Exists(mondayBefore));
        using var duck = ExportKit.OpenDuckDb();
        Assert.Equal(30, ExportKit.Scalar(duck, $"SELECT count(*) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})"));
        Assert.Equal("restatement", ExportKit.LatestManifest(destination).GetProperty("kind").GetString());

        var next = await ExportKit.RunAsync(Server, target.TargetId);
        Assert.Equal(1, next.RowsWritten);
        Assert.Equal(31, ExportKit.Scalar(duck, $"SELECT count(*) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})"));
        Assert.Equal(31, ExportKit.Scalar(duck, $"SELECT CAST(sum(responses) AS BIGINT) FROM read_parquet({ExportKit.FileList(destination, "daily_nps")})"));
    }

    [Fact]
    public async Task NewAttributeKeys_AppendedAsColumns()
    {
        string surveyId = await Server.CreateSurveyAsync("columns");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, surveyId, [ExportKit.Response("k1", 9, Monday, "c", null, ("Region", "EU"))]);
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);
        await ExportKit.IngestAsync(Server, surveyId, [ExportKit.Response("k2", 9, Monday, "c", null, ("region", "US"), ("Alpha", "x"))]);
        await ExportKit.RunAsync(Server, target.TargetId);

        var columns = ExportKit.LatestManifest(destination).GetProperty("columns").GetProperty("fact_response").EnumerateArray()
            .Select(c => (c.GetProperty("attribute_key").GetString(), c.GetProperty("column").GetString())).ToList();
        Assert.Equal([("Region", "attr_region"), ("Alpha", "attr_alpha"), ("region", "attr_region_2")], columns);
        using var duck = ExportKit.OpenDuckDb();
        var rows = ExportKit.Query(duck, $"SELECT response_id, attr_region, attr_region_2, attr_alpha FROM read_parquet({ExportKit.FileList(destination, "fact_response")}, union_by_name = true) ORDER BY 1");
        Assert.Equal(["k1", "EU", null, null], rows[0]);
        Assert.Equal(["k2", null, "US", "x"], rows[1]);
    }

    [Fact]
    public async Task DeleteDuringRun_FailedPrecondition()
    {
        string surveyId = await Server.CreateSurveyAsync("busy");
        var target = await ExportKit.CreateTargetAsync(Server, ExportKit.NewDestination(), surveyId);

        // A run holds the target's advisory lock while it works, so holding the lock here acts as a run in progress.
        await using var connection = new Npgsql.NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        int lockId = await Dapper.SqlMapper.ExecuteScalarAsync<int>(
            connection, "SELECT lock_id FROM export_targets WHERE target_id = @id", new { id = target.TargetId });
        await Dapper.SqlMapper.ExecuteAsync(
            connection, "SELECT pg_advisory_lock(@lockClass, @lockId)",
            new { lockClass = NpsGrpc.Storage.Exports.ExportRunStore.TargetLockClass, lockId });

        var busy = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Server.Exports.DeleteExportTargetAsync(
            new DeleteExportTargetRequest { TargetId = target.TargetId }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, busy.StatusCode);
        Assert.Contains(target.TargetId, busy.Status.Detail, StringComparison.Ordinal);

        await Dapper.SqlMapper.ExecuteAsync(
            connection, "SELECT pg_advisory_unlock(@lockClass, @lockId)",
            new { lockClass = NpsGrpc.Storage.Exports.ExportRunStore.TargetLockClass, lockId });
        await Server.Exports.DeleteExportTargetAsync(new DeleteExportTargetRequest { TargetId = target.TargetId });
        var gone = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Server.Exports.GetExportTargetAsync(
            new GetExportTargetRequest { TargetId = target.TargetId }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task BadTargetFields_RejectedWithField()
    {
        string surveyId = await Server.CreateSurveyAsync("badtarget");
        async Task<Grpc.Core.RpcException> Create(Action<ExportTarget> change)
        {
            var target = new ExportTarget { TargetId = "bad-" + Guid.NewGuid().ToString("N")[..8], Destination = ExportKit.NewDestination() };
            target.SurveyIds.Add(surveyId);
            change(target);
            return await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Server.Exports.CreateExportTargetAsync(new CreateExportTargetRequest { Target = target }).ResponseAsync);
        }

        Assert.Contains("target.schedule", (await Create(t => t.Schedule = "61 * * * *")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("target.time_zone", (await Create(t => t.TimeZone = "Mars/Olympus")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("target.destination", (await Create(t => t.Destination = "relative/path")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("target.row_group_rows", (await Create(t => t.RowGroupRows = 10)).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("target.segment_keys[0]", (await Create(t => t.SegmentKeys.Add("9x"))).Status.Detail, StringComparison.Ordinal);
        Assert.Equal(Grpc.Core.StatusCode.NotFound, (await Create(t => t.SurveyIds.Add("no-such-survey"))).StatusCode);

        var existing = await ExportKit.CreateTargetAsync(Server, ExportKit.NewDestination(), surveyId);
        var sameDestination = await Create(t => t.Destination = existing.Destination);
        Assert.Equal(Grpc.Core.StatusCode.AlreadyExists, sameDestination.StatusCode);
        var inside = await Create(t => t.Destination = Path.Combine(existing.Destination, "nested"));
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, inside.StatusCode);
        var around = await Create(t => t.Destination = Path.GetDirectoryName(existing.Destination)!);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, around.StatusCode);
        Assert.Contains("target.destination", (await Create(t => t.Destination = "/")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("target.destination", (await Create(t => t.Destination += "\nsecond")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("never fires", (await Create(t => t.Schedule = "0 0 31 2 *")).Status.Detail, StringComparison.Ordinal);

        // A symbolic link to another target's directory is the same destination.
        string link = ExportKit.NewDestination();
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, existing.Destination);
        Assert.Equal(Grpc.Core.StatusCode.AlreadyExists, (await Create(t => t.Destination = link)).StatusCode);

        var lowercase = await ExportKit.CreateTargetAsync(Server, ExportKit.NewDestination(), surveyId, "europe/berlin");
        Assert.Equal("Europe/Berlin", lowercase.TimeZone);
        await ExportKit.RunAsync(Server, existing.TargetId);
        await ExportKit.RunAsync(Server, existing.TargetId);
        var page = await Server.Exports.ListExportRunsAsync(new ListExportRunsRequest { TargetId = existing.TargetId, PageSize = 1 });
        Assert.NotEmpty(page.NextPageToken);
        var foreignToken = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Server.Exports.ListExportRunsAsync(
            new ListExportRunsRequest { TargetId = lowercase.TargetId, PageToken = page.NextPageToken }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, foreignToken.StatusCode);

        var badRange = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Server.Exports.RunExportAsync(
            new RunExportRequest { TargetId = existing.TargetId, RestateFrom = "2026-11-05", RestateTo = "2026-11-01" }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, badRange.StatusCode);
        var fixedField = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Server.Exports.UpdateExportTargetAsync(
            new UpdateExportTargetRequest { Target = existing, UpdateMask = { "time_zone" } }).ResponseAsync);
        Assert.Contains("cannot change", fixedField.Status.Detail, StringComparison.Ordinal);
    }
}

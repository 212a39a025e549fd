using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpsGrpc.Storage.Exports;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Exports.Tests;

/// <summary>Two server instances on one database share the export schedule without running a slot twice.</summary>
public sealed class MultiInstanceTests : IAsyncLifetime
{
    private TestDatabase? _database;
    private RunningServer? _first;
    private RunningServer? _second;

    private RunningServer First => _first!;

    private RunningServer Second => _second!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("nps_multi");
        _first = await RunningServer.StartAsync(_database.ConnectionString, Settings("one"));
        _second = await RunningServer.StartAsync(_database.ConnectionString, Settings("two"));
    }

    public async Task DisposeAsync()
    {
        await (_first?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_second?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_database?.DisposeAsync() ?? ValueTask.CompletedTask);
    }

    [Fact]
    public async Task ConcurrentClaims_OneRunPerSlot()
    {
        string surveyId = await First.CreateSurveyAsync("claim");
        var target = await ExportKit.CreateTargetAsync(First, ExportKit.NewDestination(), surveyId);
        var stores = new[] { First, Second }.Select(s => s.Services.GetRequiredService<ExportRunStore>()).ToArray();
        var now = DateTime.UtcNow;
        for (int i = 0; i < 20; i++)
        {
            var slot = now.AddSeconds(100 + i);
            var claims = await Task.WhenAll(stores.Select(store => store.ClaimSlotAsync(target.TargetId, slot, now, CancellationToken.None)));
            Assert.Single(claims, c => c is not null);
        }

        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        Assert.Equal(20, await connection.ExecuteScalarAsync<int>(
            "SELECT count(DISTINCT slot) FROM export_runs WHERE target_id = @id AND trigger = 'schedule'", new { id = target.TargetId }));
    }

    [Fact]
    public async Task TwoInstances_ExportEachResponseOnce()
    {
        string surveyId = await First.CreateSurveyAsync("twice");
        string destination = ExportKit.NewDestination();
        var start = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        await ExportKit.IngestAsync(First, surveyId, Enumerable.Range(0, 300).Select(i => ExportKit.Response($"m{i}", i % 11, start.AddMinutes(i * 7))).ToList());
        var target = await ExportKit.CreateTargetAsync(First, destination, surveyId, schedule: "* * * * * *");

        // Responses keep arriving through both instances while the schedule fires.
        for (int round = 0; round < 6; round++)
        {
            var server = round % 2 == 0 ? First : Second;
            await ExportKit.IngestAsync(server, surveyId, Enumerable.Range(0, 50).Select(i => ExportKit.Response($"late{round}-{i}", 10, start.AddHours(round))).ToList());
            await Task.Delay(700);
        }

        await First.Exports.PauseExportTargetAsync(new PauseExportTargetRequest { TargetId = target.TargetId });
        var final = await ExportKit.RunAsync(Second, target.TargetId);

        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        var runs = (await connection.QueryAsync<(string State, DateTime? Slot, string Instance)>(
            "SELECT state, slot, instance FROM export_runs WHERE target_id = @id ORDER BY run_id", new { id = target.TargetId })).ToList();
        Assert.True(runs.Count(r => r.Slot is not null) >= 3, $"Only {runs.Count(r => r.Slot is not null)} scheduled runs happened.");
        Assert.All(runs, r => Assert.Equal("succeeded", r.State));
        Assert.Equal(runs.Count(r => r.Slot is not null), runs.Where(r => r.Slot is not null).Select(r => r.Slot).Distinct().Count());

        using var duck = ExportKit.OpenDuckDb();
        string fact = $"read_parquet({ExportKit.FileList(destination, "fact_response")})";
        Assert.Equal(600, ExportKit.Scalar(duck, $"SELECT count(*) FROM {fact}"));
        Assert.Equal(600, ExportKit.Scalar(duck, $"SELECT count(DISTINCT response_id) FROM {fact}"));
        Assert.Equal(final.RunId, ExportKit.LatestManifest(destination).GetProperty("run_id").GetInt64());
    }

    private static Dictionary<string, string?> Settings(string instance) => new()
    {
        ["Exports:PollInterval"] = "00:00:00.100",
        ["Exports:InstanceName"] = instance,
    };
}

using Dapper;
using Npgsql;
using NpsGrpc.Storage.Rollups;
using NpsGrpc.Testing;
using static NpsGrpc.IntegrationTests.Faults.FaultBatches;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>Ingest faster than PostgreSQL commits, and more streams than pooled connections.</summary>
public sealed class BackpressureTests
{
    [Fact]
    public async Task StalledCommits_HoldClientBack()
    {
        await using var database = await TestDatabase.CreateAsync("nps_backpressure");
        await using var server = await RunningServer.StartAsync(database.ConnectionString);
        string surveyId = await server.CreateSurveyAsync("slow");
        const int BatchCount = 200;
        const int BatchSize = 200;
        var batches = Make(surveyId, "bp", BatchCount, BatchSize, commentLength: 300);
        long batchBytes = batches[0].CalculateSize();

        // Every ingest transaction first takes the rollup lock in shared mode, so holding it exclusively stalls commits.
        await using var blocker = new NpgsqlConnection(database.ConnectionString);
        await blocker.OpenAsync();
        await blocker.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = RollupSynchronizer.RollupLockKey });

        using var call = server.Ingest.StreamResponses();
        int written = 0;
        var writing = Task.Run(async () =>
        {
            foreach (var batch in batches)
            {
                await call.RequestStream.WriteAsync(batch);
                Interlocked.Increment(ref written);
            }

            await call.RequestStream.CompleteAsync();
        });

        // The writer stalls once the server stops reading and the HTTP/2 flow-control windows are full.
        int previous = -1;
        while (Volatile.Read(ref written) != previous)
        {
            previous = Volatile.Read(ref written);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        long bytesAhead = previous * batchBytes;
        Assert.False(writing.IsCompleted, "the client wrote every batch while no batch could commit");
        Assert.True(bytesAhead <= 4 * 1024 * 1024, $"{previous} batches of {batchBytes} bytes were accepted ahead of the commits");

        await blocker.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = RollupSynchronizer.RollupLockKey });
        int acknowledged = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            Assert.Equal(BatchSize, call.ResponseStream.Current.Result.AcceptedCount);
            acknowledged++;
        }

        await writing;
        Assert.Equal(BatchCount, acknowledged);
        await AssertStoredExactlyAsync(database.ConnectionString, surveyId, batches);
    }

    [Fact]
    public async Task ManyStreams_SmallPool_AllSucceed()
    {
        await using var database = await TestDatabase.CreateAsync("nps_pool");
        const int PoolSize = 3;
        string applicationName = "pool-" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = applicationName };
        await using var server = await RunningServer.StartAsync(
            connectionString.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Database:MaxPoolSize"] = PoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Database:ConnectTimeout"] = "00:00:02",
            });
        string surveyId = await server.CreateSurveyAsync("pool");

        var clients = Enumerable.Range(0, 8 * PoolSize)
            .Select(i => new RetryingIngestClient(() => server.Ingest, Make(surveyId, $"s{i}", 5, 100)))
            .ToList();
        var running = Task.WhenAll(clients.Select(c => c.RunAsync(CancellationToken.None)));

        int maxConnections = 0;
        await using (var monitor = new NpgsqlConnection(database.ConnectionString))
        {
            await monitor.OpenAsync();
            while (!running.IsCompleted)
            {
                int open = await monitor.ExecuteScalarAsync<int>(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = @applicationName", new { applicationName });
                maxConnections = Math.Max(maxConnections, open);
                await Task.Delay(20);
            }
        }

        await running;
        Assert.All(clients, c => Assert.Empty(c.Failures));
        Assert.All(clients, c => Assert.Equal(c.Batches.Count, c.Results.Count));
        Assert.InRange(maxConnections, 1, PoolSize);
        await AssertStoredExactlyAsync(database.ConnectionString, surveyId, clients.SelectMany(c => c.Batches));
    }
}

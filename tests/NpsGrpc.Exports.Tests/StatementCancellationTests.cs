using Npgsql;
using NpsGrpc.Storage.Exports;
using NpsGrpc.Testing;

namespace NpsGrpc.Exports.Tests;

/// <summary>A COPY read with blocking calls, stopped by a cancel request while it waits for a row.</summary>
public sealed class StatementCancellationTests : IAsyncLifetime
{
    private TestDatabase? _database;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync("nps_cancel");

    public async Task DisposeAsync() => await (_database?.DisposeAsync() ?? ValueTask.CompletedTask);

    [Fact]
    public async Task CancelledToken_EndsWaitingCopy()
    {
        await using var dataSource = NpgsqlDataSource.Create(_database!.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();

        // PostgreSQL sends rows, then sleeps before the rest, as a scan through a long stretch without matches does.
        // It sends its output in 8 KiB chunks, so the reader waits in the middle of the COPY.
        var copy = new BinaryCopyReader(await connection.BeginRawBinaryCopyAsync(
            "COPY (SELECT CASE WHEN g <= 1000 THEN repeat('x', 100) ELSE pg_sleep(600)::text END FROM generate_series(1, 2000) g) TO STDOUT (FORMAT BINARY)"));
        using var stop = new CancellationTokenSource();
        var cancelCopy = StatementCancellation.CancelOn(dataSource, connection, stop.Token);
        var reading = Task.Factory.StartNew(
            () =>
            {
                int rows = 0;
                while (copy.NextRow())
                {
                    copy.ReadText();
                    rows++;
                }

                return rows;
            },
            TaskCreationOptions.LongRunning);
        await WaitForSleepAsync(dataSource, connection.ProcessID);
        Assert.False(reading.IsCompleted);

        await stop.CancelAsync();
        var failure = await Assert.ThrowsAsync<PostgresException>(() => reading);
        Assert.True(StatementCancellation.IsCancelledBy(failure, stop.Token));

        // Ending the registration and the COPY leaves the connection usable.
        await cancelCopy.DisposeAsync();
        await copy.DisposeAsync();
        await using var check = new NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await check.ExecuteScalarAsync());
    }

    [Fact]
    public async Task DisposedRegistration_LeavesNextStatementAlone()
    {
        await using var dataSource = NpgsqlDataSource.Create(_database!.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        using var stop = new CancellationTokenSource();
        var cancelCopy = StatementCancellation.CancelOn(dataSource, connection, stop.Token);
        await cancelCopy.DisposeAsync();

        // Cancelling after the registration ended sends no cancel request, so a statement running then completes.
        await using var sleep = new NpgsqlCommand("SELECT pg_sleep(1)::text", connection);
        var running = sleep.ExecuteScalarAsync();
        await stop.CancelAsync();
        Assert.Equal(string.Empty, await running);
    }

    // Waits until the backend of the COPY sleeps, after the rows before the sleep were produced.
    private static async Task WaitForSleepAsync(NpgsqlDataSource dataSource, int processId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var command = dataSource.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND wait_event = 'PgSleep'");
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = processId });
            if ((long)(await command.ExecuteScalarAsync())! == 1)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "The COPY never started its sleep.");
            await Task.Delay(50);
        }
    }
}

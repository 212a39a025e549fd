using Npgsql;
using NpsGrpc.Storage.Migrations;
using NpsGrpc.Storage.Rollups;

namespace NpsGrpc.Server.Health;

/// <summary>
/// Applies database migrations and brings the rollups in line with the configured keys at start-up. Start-up
/// waits for the database up to Database:StartupWait (default 30 s). After that the server starts anyway, reports
/// NOT_SERVING and keeps retrying in the background, so a server started before its database recovers by itself.
/// </summary>
public sealed partial class DatabaseStartup(
    MigrationRunner migrations,
    RollupSynchronizer rollups,
    DatabaseReadiness readiness,
    IConfiguration configuration,
    ILogger<DatabaseStartup> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    /// <remarks>
    /// NOTE: a rollup rebuild that outlasts Database:StartupWait is cancelled, logged like an unreachable database and
    /// started again in the background, where it has no time limit.
    /// </remarks>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var wait = configuration.GetValue("Database:StartupWait", TimeSpan.FromSeconds(30));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            await MigrateUntilDoneAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.StartingWithoutDatabase(logger, wait);
        }

        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        readiness.IsMigrated ? Task.CompletedTask : MigrateUntilDoneAsync(stoppingToken);

    private async Task MigrateUntilDoneAsync(CancellationToken cancellationToken)
    {
        while (!readiness.IsMigrated)
        {
            try
            {
                await migrations.ApplyAsync(cancellationToken);
                await rollups.SynchronizeAsync(cancellationToken);
                readiness.MarkMigrated();
                Log.DatabaseReady(logger);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                Log.MigrationFailed(logger, exception, RetryDelay);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Database schema is up to date; serving")]
        public static partial void DatabaseReady(ILogger logger);

        [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Could not apply database migrations; retrying in {Delay}")]
        public static partial void MigrationFailed(ILogger logger, Exception exception, TimeSpan delay);

        [LoggerMessage(EventId = 12, Level = LogLevel.Warning,
            Message = "Database not reachable within {Wait}; starting anyway with health NOT_SERVING and retrying in the background")]
        public static partial void StartingWithoutDatabase(ILogger logger, TimeSpan wait);
    }
}

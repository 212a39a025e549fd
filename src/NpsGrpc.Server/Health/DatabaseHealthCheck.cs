using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using NpsGrpc.Storage.Connections;

namespace NpsGrpc.Server.Health;

/// <summary>
/// Healthy when the schema is migrated and PostgreSQL runs a trivial query within 2 seconds. The gRPC
/// health service maps Unhealthy to NOT_SERVING. A connection failure empties the connection pools, which may hold
/// connections that died with the database.
/// </summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource, DatabaseReadiness readiness, DatabasePools pools)
    : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.IsMigrated)
        {
            return HealthCheckResult.Unhealthy("The database schema is not migrated yet.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // A timeout keeps the pools, because clearing them would make a busy database pay for reconnecting too.
            if (exception is NpgsqlException)
            {
                pools.Clear();
            }

            return HealthCheckResult.Unhealthy("PostgreSQL is unreachable.", exception);
        }
    }
}

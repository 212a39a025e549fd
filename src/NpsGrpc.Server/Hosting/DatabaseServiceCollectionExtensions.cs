using Microsoft.Extensions.Diagnostics.HealthChecks;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Storage.Connections;

namespace NpsGrpc.Server.Hosting;

/// <summary>Wires the settings that keep the server responsive while PostgreSQL is slow, saturated or down.</summary>
public static class DatabaseServiceCollectionExtensions
{
    /// <summary>Reads the <c>Database</c> section: pool size and timeouts.</summary>
    public static DatabaseOptions ReadDatabaseOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.Validate();
        return options;
    }

    /// <summary>
    /// Adds the ingest write gate (<c>Ingest:MaxConcurrentWrites</c>, by default three quarters of the pool) and runs
    /// the health checks every <c>Health:CheckInterval</c> (default 5 s), so health watchers see an outage promptly.
    /// </summary>
    public static IServiceCollection AddNpsDatabaseResilience(
        this IServiceCollection services, IConfiguration configuration, DatabaseOptions database)
    {
        int defaultWrites = Math.Max(1, database.MaxPoolSize * 3 / 4);
        int maxWrites = configuration.GetValue("Ingest:MaxConcurrentWrites", defaultWrites);
        if (maxWrites < 1 || maxWrites > database.MaxPoolSize)
        {
            throw new InvalidOperationException(
                $"Ingest:MaxConcurrentWrites is {maxWrites}; use 1 to Database:MaxPoolSize ({database.MaxPoolSize}).");
        }

        services.AddSingleton(new IngestWriteGate(maxWrites));

        var interval = configuration.GetValue("Health:CheckInterval", TimeSpan.FromSeconds(5));
        if (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException(
                $"Health:CheckInterval is {interval}; use a time from 00:00:01 to 00:10:00.");
        }

        // The gRPC health service runs the checks for each Check call, but Watch streams only get published results.
        services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = interval;
        });
        return services;
    }
}

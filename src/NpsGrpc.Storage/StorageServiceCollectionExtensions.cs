using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpsGrpc.Storage.Cohorts;
using NpsGrpc.Storage.FollowUps;
using NpsGrpc.Storage.Goals;
using NpsGrpc.Storage.Ingest;
using NpsGrpc.Storage.Insights;
using NpsGrpc.Storage.Migrations;
using NpsGrpc.Storage.Queries;
using NpsGrpc.Storage.Rollups;
using NpsGrpc.Storage.Surveys;

namespace NpsGrpc.Storage;

/// <summary>Registers the PostgreSQL storage services.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds a pooled <see cref="NpgsqlDataSource"/> for <paramref name="connectionString"/> and the stores that use it.
    /// </summary>
    public static IServiceCollection AddNpsStorage(
        this IServiceCollection services, string connectionString, RollupOptions rollups, FollowUpOptions followUps)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The ingest path keeps a temporary staging table per physical connection; DISCARD ALL on
            // every return to the pool would drop it. No other session state is ever set.
            NoResetOnClose = true,

            // PostgreSQL error details can quote row values, comments included, so they must never reach a log or a client.
            IncludeErrorDetail = false,
        };

        // PostgreSQL's JIT compiler costs hundreds of milliseconds on the rollup queries, whose row estimates over
        // unnest() ranges are far too high, and measurably gained nothing on the raw-row queries.
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c jit=off" : builder.Options + " -c jit=off";

        // The name labels the pool in Npgsql's metrics (db.client.connection.pool.name) in place of the connection string.
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = "nps" }.Build());
        services.AddSingleton(rollups);
        services.AddSingleton(followUps);
        services.AddSingleton<OutreachStore>();
        services.AddSingleton<GoalStore>();
        services.AddSingleton<RollupState>();
        services.AddSingleton<RollupSynchronizer>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<SurveyStore>();
        services.AddSingleton<CohortStore>();
        services.AddSingleton<ResponseWriter>();
        services.AddSingleton<CustomerWriter>();
        services.AddSingleton<ResponseCounter>();
        services.AddSingleton<AttributeValueCounter>();
        services.AddSingleton<CommentStore>();
        return services;
    }
}

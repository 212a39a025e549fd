using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Storage.Cohorts;
using NpsGrpc.Storage.Connections;
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
    /// Read-only queries use <paramref name="readOnlyConnectionString"/> (a read replica) when it is given.
    /// </summary>
    public static IServiceCollection AddNpsStorage(
        this IServiceCollection services, string connectionString, RollupOptions rollups, FollowUpOptions followUps,
        DatabaseOptions? database = null, string? readOnlyConnectionString = null)
    {
        database ??= new DatabaseOptions();
        string primary = BuildConnectionString(connectionString, database);
        // The names label the pools in Npgsql's metrics (db.client.connection.pool.name) in place of the connection
        // strings, and keep the replica's pool apart from the primary's.
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(primary) { Name = "nps" }.Build());
        if (string.IsNullOrWhiteSpace(readOnlyConnectionString))
        {
            services.AddKeyedSingleton(DataSourceKeys.ReadOnly, (provider, _) => provider.GetRequiredService<NpgsqlDataSource>());
        }
        else
        {
            string readOnly = BuildConnectionString(readOnlyConnectionString, database);
            services.AddKeyedSingleton(
                DataSourceKeys.ReadOnly, (_, _) => new NpgsqlDataSourceBuilder(readOnly) { Name = "nps-read-only" }.Build());
        }

        services.AddSingleton(database);
        services.AddSingleton<DatabasePools>();
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
        services.AddSingleton<ApiKeyStore>();
        return services;
    }

    private static string BuildConnectionString(string connectionString, DatabaseOptions database)
    {
        var builder = database.Apply(connectionString);

        // The ingest path keeps a temporary staging table per physical connection; DISCARD ALL on
        // every return to the pool would drop it. No other session state is ever set.
        builder.NoResetOnClose = true;

        // PostgreSQL error details can quote row values, comments included, so they must never reach a log or a client.
        builder.IncludeErrorDetail = false;

        // PostgreSQL's JIT compiler costs hundreds of milliseconds on the rollup queries, whose row estimates over
        // unnest() ranges are far too high, and measurably gained nothing on the raw-row queries.
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c jit=off" : builder.Options + " -c jit=off";
        return builder.ConnectionString;
    }
}

using NpsGrpc.Domain.Validation;
using NpsGrpc.Exports;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Auth;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.FollowUps;
using NpsGrpc.Server.Goals;
using NpsGrpc.Server.Health;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Server.Insights;
using NpsGrpc.Storage;
using NpsGrpc.Storage.FollowUps;
using NpsGrpc.Storage.Rollups;

namespace NpsGrpc.Server.Hosting;

/// <summary>Wires the server's services.</summary>
public static class ServerServiceCollectionExtensions
{
    /// <summary>Adds gRPC, storage, ingest, health checks and reflection, configured from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddNpsServer(this IServiceCollection services, IConfiguration configuration)
    {
        string connectionString = configuration.GetConnectionString("Nps") is { Length: > 0 } configured
            ? configured
            : throw new InvalidOperationException(
                "No database connection string is configured. Set ConnectionStrings__Nps in the environment " +
                "(for example Host=127.0.0.1;Port=5432;Username=postgres;Database=nps), or start the server with 'make run'.");

        var limits = configuration.GetSection("Ingest").Get<IngestLimits>() ?? new IngestLimits();
        int maxMessageBytes = configuration.GetValue("Ingest:MaxMessageBytes", 16 * 1024 * 1024);

        services.AddSingleton(limits);
        services.AddSingleton(new ResponseValidator(limits));
        services.AddSingleton(new CustomerValidator(limits));
        services.AddSingleton(TimeProvider.System);
        var rollups = configuration.GetSection("Rollups").Get<RollupOptions>() ?? new RollupOptions();
        if (rollups.AttributeKeys.FirstOrDefault(k => !Identifiers.IsAttributeKey(k)) is { } badKey)
        {
            throw new InvalidOperationException(
                $"Rollups:AttributeKeys contains '{badKey}', which is not an attribute key (a letter, then letters, digits or underscores).");
        }

        var followUps = configuration.GetSection("FollowUps").Get<FollowUpOptions>() ?? new FollowUpOptions();
        followUps.Validate();
        var database = DatabaseServiceCollectionExtensions.ReadDatabaseOptions(configuration);
        services.AddNpsStorage(connectionString, rollups, followUps, database, configuration.GetConnectionString("NpsReadOnly"));
        services.AddNpsDatabaseResilience(configuration, database);
        var readiness = new DatabaseReadiness();
        services.AddSingleton(readiness);
        var exports = configuration.GetSection("Exports").Get<ExportOptions>() ?? new ExportOptions();
        exports.IsDatabaseReady = () => readiness.IsMigrated;
        services.AddNpsExports(exports);
        services.AddHostedService<DatabaseStartup>();
        services.AddSingleton<SurveyDirectory>();
        services.AddSingleton<OutageLogLimiter>();
        services.AddSingleton<ResponseBatchIngestor>();
        services.AddSingleton<CustomerBatchIngestor>();
        services.AddSingleton<QueryRequestParser>();
        services.AddSingleton<SegmentQuery>();
        services.AddSingleton<TrendQuery>();
        services.AddSingleton<ComparisonQuery>();
        services.AddSingleton<CohortResolver>();
        services.AddSingleton<CohortMatrixQuery>();
        services.AddSingleton<OutreachUpdater>();
        services.AddSingleton<FollowUpFeed>();
        services.AddSingleton<GoalProgressCalculator>();
        services.AddSingleton<PersonaQuery>();
        services.AddSingleton<CombinationQuery>();
        services.AddSingleton<CommentThemeQuery>();
        services.AddSingleton<CommentSearchQuery>();

        services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = maxMessageBytes;
            options.Interceptors.Add<ErrorInterceptor>();
        });
        services.AddNpsAuth(configuration);
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }
}

using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Health;
using NpsGrpc.Server.Observability;
using NpsGrpc.Server.Services;

namespace NpsGrpc.Server.Hosting;

/// <summary>Builds the NpsGrpc server: configuration, services and endpoints.</summary>
public static class NpsServerApp
{
    /// <summary>
    /// Builds the application from <paramref name="args"/>, appsettings.json and the environment.
    /// <paramref name="configure"/> lets a host (a test or a benchmark) override settings before services are wired.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Nothing rereads the settings after the start, so appsettings.json is not watched. A watcher on the content root
        // also handles the events of every file written below it, such as the files of an export there.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        configure?.Invoke(builder);
        builder.Services.AddNpsServer(builder.Configuration);
        builder.AddNpsObservability();

        var app = builder.Build();
        app.UseNpsObservability();
        app.MapGrpcService<SurveyGrpcService>();
        app.MapGrpcService<IngestGrpcService>();
        app.MapGrpcService<QueryGrpcService>();
        app.MapGrpcService<CohortGrpcService>();
        app.MapGrpcService<InsightGrpcService>();
        app.MapGrpcService<ExportGrpcService>();
        app.MapGrpcService<FollowUpGrpcService>();
        app.MapGrpcService<GoalGrpcService>();
        app.MapGrpcService<ApiKeyGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}

using Microsoft.Extensions.DependencyInjection;
using NpsGrpc.Exports.Destinations;
using NpsGrpc.Exports.Runs;
using NpsGrpc.Exports.Scheduling;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Exports;

/// <summary>Registers the export stores, runner and scheduler.</summary>
public static class ExportServiceCollectionExtensions
{
    /// <summary>Adds exports with <paramref name="options"/>; the scheduler runs as a hosted service.</summary>
    public static IServiceCollection AddNpsExports(this IServiceCollection services, ExportOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ExportTargetStore>();
        services.AddSingleton<ExportRunStore>();
        services.AddSingleton<ExportSource>();
        services.AddSingleton<IExportDestinationProvider, DirectoryDestinationProvider>();
        services.AddSingleton<ExportTelemetry>();
        services.AddSingleton<ExportRunner>();
        services.AddSingleton<ExportScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<ExportScheduler>());
        return services;
    }
}

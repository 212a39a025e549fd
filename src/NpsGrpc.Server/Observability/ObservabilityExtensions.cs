using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using NpsGrpc.Domain.Telemetry;
using NpsGrpc.Server.Shutdown;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NpsGrpc.Server.Observability;

/// <summary>Wires metrics, traces, log scopes and graceful shutdown into the server.</summary>
public static partial class ObservabilityExtensions
{
    /// <summary>
    /// Adds OpenTelemetry (the product meter and activity source, ASP.NET Core, Kestrel, .NET runtime and Npgsql
    /// instrumentation), the Prometheus scrape listener and the OTLP exporter as configured under <c>Telemetry</c>,
    /// the interceptors that open log scopes and reject calls during shutdown, and the <c>Shutdown</c> settings.
    /// </summary>
    public static WebApplicationBuilder AddNpsObservability(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Telemetry").Get<TelemetryOptions>() ?? new TelemetryOptions();
        var shutdown = builder.Configuration.GetSection("Shutdown").Get<ShutdownOptions>() ?? new ShutdownOptions();
        shutdown.Validate();
        builder.Services.AddSingleton(shutdown);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdown.DrainTimeout);
        builder.Services.AddSingleton<ServerDrain>();
        builder.Services.AddHostedService<StreamEndGrace>();

        // appsettings.json ends the timestamp format with a space that separates it from the level in the simple
        // format. A JSON value needs none.
        builder.Services.PostConfigure<JsonConsoleFormatterOptions>(json => json.TimestampFormat = json.TimestampFormat?.TrimEnd());
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddSingleton<ObservabilityInterceptor>();
        builder.Services.AddSingleton<DrainInterceptor>();

        // The interceptors go first: the log scope encloses the error interceptor's entries, and a call that arrives
        // during shutdown is turned away before any work.
        builder.Services.Configure<GrpcServiceOptions>(grpc =>
        {
            var registered = grpc.Interceptors.ToList();
            grpc.Interceptors.Clear();
            grpc.Interceptors.Add<ObservabilityInterceptor>();
            grpc.Interceptors.Add<DrainInterceptor>();
            foreach (var interceptor in registered)
            {
                grpc.Interceptors.Add(interceptor);
            }
        });

        MetricsEndpoint? scrape = options.Prometheus.Url is { Length: > 0 } url
            ? MetricsEndpoint.Parse(url, options.Prometheus.Path)
            : null;
        if (scrape is not null)
        {
            builder.Services.AddSingleton(scrape);
            builder.WebHost.ConfigureKestrel(scrape.Listen);
        }

        bool otlp = options.Otlp.Endpoint.Length > 0;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(options.ServiceName, serviceVersion: typeof(ObservabilityExtensions).Assembly.GetName().Version?.ToString())
                .AddAttributes([new("host.name", Environment.MachineName), new("process.pid", Environment.ProcessId)]))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(TelemetryNames.Meter)
                    .AddMeter("System.Runtime")
                    .AddAspNetCoreInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (scrape is not null)
                {
                    metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeEndpointPath = scrape.Path);
                }
            });

        if (otlp)
        {
            // Traces are recorded only when they go somewhere: without a collector a span would cost time for nothing.
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(TelemetryNames.ActivitySource)
                    .AddAspNetCoreInstrumentation()
                    .AddNpgsql())
                .WithLogging()
                .UseOtlpExporter(ParseProtocol(options.Otlp.Protocol), ParseEndpoint(options.Otlp.Endpoint));
        }

        return builder;
    }

    /// <summary>Serves the Prometheus scrape path on the metrics listener, and nothing else there.</summary>
    public static WebApplication UseNpsObservability(this WebApplication app)
    {
        if (app.Services.GetService<MetricsEndpoint>() is not { } scrape)
        {
            return app;
        }

        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            context => MetricsEndpoint.IsMetricsConnection(context) && context.Request.Path == scrape.Path);
        app.Use((context, next) =>
        {
            if (!MetricsEndpoint.IsMetricsConnection(context))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ObservabilityExtensions));
        app.Lifetime.ApplicationStarted.Register(() => Log.ServingMetrics(logger, scrape.Url));
        return app;
    }

    private static OtlpExportProtocol ParseProtocol(string protocol) => protocol switch
    {
        "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException(
            $"Telemetry:Otlp:Protocol is '{protocol}'; use grpc or http/protobuf."),
    };

    private static Uri ParseEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InvalidOperationException(
                $"Telemetry:Otlp:Endpoint is '{endpoint}'; it must be an http or https address such as http://127.0.0.1:4317, " +
                "or empty to turn OTLP export off.");

    private static partial class Log
    {
        [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Serving Prometheus metrics at {Url}")]
        public static partial void ServingMetrics(ILogger logger, string url);
    }
}

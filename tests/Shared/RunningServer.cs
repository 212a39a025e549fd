using System.Collections.Concurrent;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpsGrpc.Server.Hosting;
using NpsGrpc.Server.Observability;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.V1;

namespace NpsGrpc.Testing;

/// <summary>A real NpsGrpc server on Kestrel, listening on a free loopback port, with clients bound to it.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, string> KeysByAddress = new(StringComparer.Ordinal);

    private readonly WebApplication _app;
    private bool _stopped;

    private RunningServer(WebApplication app, string address, string apiKey)
    {
        _app = app;
        Address = address;
        ApiKey = apiKey;
        Channel = TestApiKeys.OpenChannel(address, apiKey);
        Surveys = new SurveyService.SurveyServiceClient(Channel);
        Ingest = new IngestService.IngestServiceClient(Channel);
        Query = new QueryService.QueryServiceClient(Channel);
        Exports = new ExportService.ExportServiceClient(Channel);
        Cohorts = new CohortService.CohortServiceClient(Channel);
    }

    /// <summary>Base address, for example http://127.0.0.1:41234.</summary>
    public string Address { get; }

    /// <summary>
    /// A key with every scope, stored after the server started, which <see cref="Channel"/> sends on every call.
    /// When the database was unreachable at start, a well-formed key that is not stored.
    /// </summary>
    public string ApiKey { get; }

    /// <summary>Channel to the server.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>Survey management client.</summary>
    public SurveyService.SurveyServiceClient Surveys { get; }

    /// <summary>Ingest client.</summary>
    public IngestService.IngestServiceClient Ingest { get; }

    /// <summary>Query client.</summary>
    public QueryService.QueryServiceClient Query { get; }

    /// <summary>Export management client.</summary>
    public ExportService.ExportServiceClient Exports { get; }

    /// <summary>Cohort management client.</summary>
    public CohortService.CohortServiceClient Cohorts { get; }

    /// <summary>The server's dependency injection container, for tests that inspect it.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The Prometheus scrape URL, such as http://127.0.0.1:41235/metrics, or null when the endpoint is off.</summary>
    public string? MetricsUrl => _app.Services.GetService<MetricsEndpoint>()?.Url;

    /// <summary>Starts a server on <paramref name="connectionString"/> with optional configuration overrides.</summary>
    public static async Task<RunningServer> StartAsync(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var app = NpsServerApp.Build([], builder =>
        {
            var values = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Nps"] = connectionString,
                ["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0",
                ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
                ["Telemetry:Prometheus:Url"] = "http://127.0.0.1:0",
            };
            foreach (var setting in settings ?? new Dictionary<string, string?>())
            {
                values[setting.Key] = setting.Value;
            }

            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });

        await app.StartAsync();
        // The server also listens for Prometheus scrapes, so the gRPC address is the other one.
        string? metricsUrl = app.Services.GetService<MetricsEndpoint>()?.Url;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(candidate => metricsUrl is null || !metricsUrl.StartsWith(candidate + "/", StringComparison.Ordinal));
        string apiKey;
        try
        {
            apiKey = await TestApiKeys.CreateAsync(app.Services.GetRequiredService<ApiKeyStore>(), AccessScopes.All);
        }
        catch (NpgsqlException)
        {
            // Tests of an unreachable database still send a key, so their calls go through the key check.
            apiKey = ApiKeySecret.Generate().Key;
        }

        KeysByAddress[address] = apiKey;
        return new RunningServer(app, address, apiKey);
    }

    /// <summary>Returns the key of the running server at <paramref name="address"/>, or null for another address.</summary>
    public static string? ApiKeyFor(string address) => KeysByAddress.GetValueOrDefault(address);

    /// <summary>Opens another channel to the server that sends <see cref="ApiKey"/>; the caller disposes it.</summary>
    public GrpcChannel OpenChannel() => TestApiKeys.OpenChannel(Address, ApiKey);

    /// <summary>Creates a survey with a unique id for one test and returns the id.</summary>
    public async Task<string> CreateSurveyAsync(string prefix = "t")
    {
        string surveyId = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        await Surveys.CreateSurveyAsync(new CreateSurveyRequest
        {
            Survey = new Survey { SurveyId = surveyId, DisplayName = $"Test survey {surveyId}" },
        });
        return surveyId;
    }

    /// <summary>Stops the server as a host shutdown does: open streams end and the listeners close.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        await _app.StopAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        KeysByAddress.TryRemove(Address, out _);
        if (!_stopped)
        {
            await _app.StopAsync();
        }

        await _app.DisposeAsync();
    }
}

using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NpsGrpc.Testing;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests.Operations;

/// <summary>The OTLP exporter, checked against a stand-in collector that keeps every OTLP/HTTP request body.</summary>
public sealed class OtlpTests
{
    [Fact]
    public async Task OtlpHttp_SendsSpansMetricsAndLogs()
    {
        var received = new ConcurrentDictionary<string, ConcurrentBag<byte[]>>();
        await using var collector = await StartCollectorAsync(received);
        string collectorAddress = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>
        {
            ["Telemetry__Otlp__Endpoint"] = collectorAddress,
            ["Telemetry__Otlp__Protocol"] = "http/protobuf",
        });
        string surveyId = await server.CreateSurveyAsync("otlp");
        await StreamAsync(server.Ingest, Batch(surveyId, "otlp-batch", Range("o", 10)));

        // Stopping flushes the exporters, so the spans and metrics of the batch are sent before the process exits.
        await server.StopAsync();

        string traces = Text(received, "traces");
        Assert.Contains("nps.ingest.batch", traces);
        Assert.Contains(surveyId, traces);
        Assert.Contains("/nps.v1.IngestService/StreamResponses", traces);
        Assert.Contains("nps.ingest.responses", Text(received, "metrics"));
        Assert.Contains("Database schema is up to date", Text(received, "logs"));
    }

    // Protobuf keeps strings as UTF-8 bytes, so a text search of the bodies finds span names, tags and messages.
    private static string Text(ConcurrentDictionary<string, ConcurrentBag<byte[]>> received, string signal) =>
        received.TryGetValue(signal, out var bodies)
            ? string.Join('\n', bodies.Select(body => Encoding.UTF8.GetString(body)))
            : "";

    private static async Task<WebApplication> StartCollectorAsync(ConcurrentDictionary<string, ConcurrentBag<byte[]>> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.GetOrAdd(signal, _ => []).Add(body.ToArray());
            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }
}

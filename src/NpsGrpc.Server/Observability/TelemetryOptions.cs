namespace NpsGrpc.Server.Observability;

/// <summary>Settings of the <c>Telemetry</c> configuration section.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The <c>service.name</c> resource attribute of every metric, span and exported log. Default nps-grpc.</summary>
    public string ServiceName { get; set; } = "nps-grpc";

    /// <summary>The Prometheus scrape endpoint.</summary>
    public PrometheusOptions Prometheus { get; set; } = new();

    /// <summary>The OTLP exporter.</summary>
    public OtlpOptions Otlp { get; set; } = new();
}

/// <summary>Settings of <c>Telemetry:Prometheus</c>.</summary>
public sealed class PrometheusOptions
{
    /// <summary>
    /// The plain-HTTP/1.1 listen address of the scrape endpoint, apart from the gRPC endpoint because that one speaks
    /// HTTP/2 only. Empty turns the endpoint off. Default http://127.0.0.1:9464. Port 0 picks a free port.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:9464";

    /// <summary>The path of the scrape endpoint. Default /metrics.</summary>
    public string Path { get; set; } = "/metrics";
}

/// <summary>Settings of <c>Telemetry:Otlp</c>.</summary>
public sealed class OtlpOptions
{
    /// <summary>
    /// The collector's base address, for example http://127.0.0.1:4317 for gRPC or http://127.0.0.1:4318 for
    /// HTTP/protobuf. Empty (the default) exports nothing over OTLP and records no traces.
    /// </summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The OTLP transport: <c>grpc</c> (the default) or <c>http/protobuf</c>.</summary>
    public string Protocol { get; set; } = "grpc";
}

using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace NpsGrpc.Server.Observability;

/// <summary>
/// The Kestrel listener of the Prometheus scrape endpoint. It marks the connections it accepts, so the scrape path
/// is served on them only and never on the gRPC endpoint.
/// </summary>
public sealed class MetricsEndpoint
{
    private static readonly object ConnectionMark = new();

    private ListenOptions? _listener;

    private MetricsEndpoint(IPEndPoint configured, string path)
    {
        Configured = configured;
        Path = path;
    }

    /// <summary>The configured address, whose port is 0 when Kestrel picks one.</summary>
    public IPEndPoint Configured { get; }

    /// <summary>The scrape path, such as /metrics.</summary>
    public string Path { get; }

    /// <summary>The scrape URL with the bound port, such as http://127.0.0.1:9464/metrics, once the server has started.</summary>
    public string Url
    {
        get
        {
            var bound = _listener?.IPEndPoint ?? Configured;
            string host = bound.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bound.Address}]" : bound.Address.ToString();
            return $"http://{host}:{bound.Port}{Path}";
        }
    }

    /// <summary>
    /// Parses <paramref name="url"/> (http, an IP address, <c>localhost</c>, <c>*</c> or <c>0.0.0.0</c>, and a port).
    /// Throws <see cref="InvalidOperationException"/> naming the setting when it is malformed.
    /// </summary>
    public static MetricsEndpoint Parse(string url, string path)
    {
        const string Setting = "Telemetry:Prometheus:Url";
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttp
            || uri.AbsolutePath != "/")
        {
            throw new InvalidOperationException(
                $"{Setting} is '{url}'; it must be a plain http address without a path, such as http://127.0.0.1:9464, " +
                "or empty to turn the scrape endpoint off.");
        }

        IPAddress address = uri.IsLoopback && uri.HostNameType == UriHostNameType.Dns
            ? IPAddress.Loopback
            : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed)
                ? parsed
                : throw new InvalidOperationException(
                    $"{Setting} is '{url}'; its host must be an IP address, localhost or *, not a name to resolve.");
        if (!path.StartsWith('/'))
        {
            throw new InvalidOperationException($"Telemetry:Prometheus:Path is '{path}'; it must start with /.");
        }

        return new MetricsEndpoint(new IPEndPoint(address, uri.Port), path);
    }

    /// <summary>Adds the HTTP/1.1 listener to Kestrel.</summary>
    public void Listen(KestrelServerOptions kestrel) =>
        kestrel.Listen(Configured, listener =>
        {
            listener.Protocols = HttpProtocols.Http1;
            listener.Use(next => connection =>
            {
                connection.Items[ConnectionMark] = true;
                return next(connection);
            });
            _listener = listener;
        });

    /// <summary>Whether the request came in on this listener.</summary>
    public static bool IsMetricsConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionMark) == true;
}

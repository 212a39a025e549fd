using System.Diagnostics;
using NpsGrpc.Domain.Telemetry;

namespace NpsGrpc.Server.Observability;

/// <summary>The server's source of product spans (<c>nps.ingest.batch</c>), beside the ASP.NET Core and Npgsql ones.</summary>
public static class NpsActivities
{
    /// <summary>The NpsGrpc activity source; it creates spans only while a listener (an exporter or a test) is attached.</summary>
    public static readonly ActivitySource Source = new(TelemetryNames.ActivitySource);
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NpsGrpc.Testing;

/// <summary>Start settings for the built server (NpsGrpc.Server.dll) as a child process of a test.</summary>
public static class ServerProcessStart
{
    /// <summary>
    /// Creates the start settings of the server, built in this test's configuration, on <paramref name="connectionString"/>
    /// and <paramref name="grpcAddress"/>, with output redirected. The metrics listener gets a free port, because the
    /// default 9464 may be taken by another server on the machine. Callers add their own settings to
    /// <see cref="ProcessStartInfo.Environment"/> (configuration keys with __ between levels).
    /// </summary>
    public static ProcessStartInfo Create(string connectionString, string grpcAddress)
    {
        string configuration = AppContext.BaseDirectory.Contains(
            $"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        string directory = Path.Combine(TestDatabase.RepositoryRoot(), "src", "NpsGrpc.Server", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(directory, "NpsGrpc.Server.dll")])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Nps"] = connectionString;
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = grpcAddress;
        start.Environment["Telemetry__Prometheus__Url"] = "http://127.0.0.1:0";
        return start;
    }

    /// <summary>Returns a loopback port that was free a moment ago; another process may still take it first.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

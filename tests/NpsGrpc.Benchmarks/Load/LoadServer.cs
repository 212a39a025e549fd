using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NpsGrpc.Benchmarks.Load;

/// <summary>
/// The server a load run calls: one given by address, or the built NpsGrpc.Server.dll started as a child process on
/// a fresh benchmark database, so its memory figures are the server's alone and not the load generator's.
/// </summary>
public sealed class LoadServer : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process? _process;
    private readonly BenchmarkDatabase? _database;

    private LoadServer(string address, string? metricsUrl, Process? process, BenchmarkDatabase? database)
    {
        Address = address;
        MetricsUrl = metricsUrl;
        _process = process;
        _database = database;
    }

    /// <summary>gRPC address.</summary>
    public string Address { get; }

    /// <summary>Prometheus scrape URL, or null when unknown.</summary>
    public string? MetricsUrl { get; }

    /// <summary>Whether this run started the server.</summary>
    public bool IsChildProcess => _process is not null;

    /// <summary>Uses the server at <paramref name="address"/>.</summary>
    public static LoadServer Existing(string address, string? metricsUrl) => new(address, metricsUrl, null, null);

    /// <summary>
    /// Creates a benchmark database and starts the built server on it with rollups for region, plan and channel and
    /// the export scheduler off. Throws <see cref="BenchmarkException"/> when the build or the database is missing.
    /// </summary>
    public static async Task<LoadServer> StartChildAsync(CancellationToken cancellationToken)
    {
        string serverDll = FindServerDll();
        var database = await BenchmarkDatabase.CreateAsync(cancellationToken);
        string address = $"http://127.0.0.1:{FreePort()}";
        string metricsAddress = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [serverDll])
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Nps"] = database.ConnectionString;
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = address;
        start.Environment["Telemetry__Prometheus__Url"] = metricsAddress;
        start.Environment["Exports__SchedulerEnabled"] = "false";
        start.Environment["Rollups__AttributeKeys__0"] = "region";
        start.Environment["Rollups__AttributeKeys__1"] = "plan";
        start.Environment["Rollups__AttributeKeys__2"] = "channel";
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        // The load clients send no API key, so the child server runs without authentication where that setting exists.
        start.Environment["Auth__DevelopmentMode"] = "true";
        var process = Process.Start(start)
            ?? throw new BenchmarkException($"Could not start dotnet {serverDll}.");

        // The output is drained so the server never blocks on a full pipe; warnings go to this tool's error stream.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                Console.Error.WriteLine($"  server: {line.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new LoadServer(address, $"{metricsAddress}/metrics", process, database);
    }

    /// <summary>Stops a child server with SIGTERM (SIGKILL after 60 s) and drops its database.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _ = Kill(_process.Id, SigTerm);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill();
                }
            }

            _process.Dispose();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private static string FindServerDll()
    {
        string configuration = typeof(LoadServer).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
            .OfType<DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled) ? "Debug" : "Release";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NpsGrpc.sln")))
            {
                string dll = Path.Combine(directory.FullName, "src", "NpsGrpc.Server", "bin", configuration, "net10.0", "NpsGrpc.Server.dll");
                return File.Exists(dll)
                    ? dll
                    : throw new BenchmarkException($"{dll} does not exist. Build the solution first: make build.");
            }
        }

        throw new BenchmarkException(
            $"NpsGrpc.sln not found above {AppContext.BaseDirectory}; pass --address to load a server that is already running.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // kill(2) from the C library: Process.Kill sends SIGKILL, which would skip the server's graceful shutdown.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);
}

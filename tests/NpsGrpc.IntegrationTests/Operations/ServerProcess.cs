using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Grpc.Core;
using Grpc.Net.Client;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Operations;

/// <summary>
/// The built server (NpsGrpc.Server.dll) running as a child process on free loopback ports, with its console output
/// captured line by line. Tests use it where the process boundary matters: a real SIGTERM, the console log format,
/// and metrics that no other server in the test process adds to.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, string address, string metricsUrl, string apiKey)
    {
        _process = process;
        Address = address;
        MetricsUrl = metricsUrl;
        ApiKey = apiKey;
        Channel = TestApiKeys.OpenChannel(address, apiKey);
        Surveys = new SurveyService.SurveyServiceClient(Channel);
        Ingest = new IngestService.IngestServiceClient(Channel);
        Query = new QueryService.QueryServiceClient(Channel);
        FollowUps = new FollowUpService.FollowUpServiceClient(Channel);
        process.OutputDataReceived += (_, line) => Capture(line.Data);
        process.ErrorDataReceived += (_, line) => Capture(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>gRPC base address, such as http://127.0.0.1:41234.</summary>
    public string Address { get; }

    /// <summary>The Prometheus scrape URL.</summary>
    public string MetricsUrl { get; }

    /// <summary>API key with every scope, which <see cref="Channel"/> sends.</summary>
    public string ApiKey { get; }

    /// <summary>Channel to the server.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>Survey management client.</summary>
    public SurveyService.SurveyServiceClient Surveys { get; }

    /// <summary>Ingest client.</summary>
    public IngestService.IngestServiceClient Ingest { get; }

    /// <summary>Query client.</summary>
    public QueryService.QueryServiceClient Query { get; }

    /// <summary>Follow-up client.</summary>
    public FollowUpService.FollowUpServiceClient FollowUps { get; }

    /// <summary>The process id, for signals.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, valid once <see cref="HasExited"/> is true.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Every line the process wrote to standard output and standard error so far.</summary>
    public IReadOnlyList<string> OutputLines => _output.ToArray();

    /// <summary>
    /// Starts the server on <paramref name="connectionString"/> with JSON console logs and the given extra
    /// environment variables (configuration keys with __ between levels), and waits until it serves calls.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string connectionString, IDictionary<string, string>? environment = null)
    {
        string address = $"http://127.0.0.1:{ServerProcessStart.FreeLoopbackPort()}";
        string metricsAddress = $"http://127.0.0.1:{ServerProcessStart.FreeLoopbackPort()}";
        var start = ServerProcessStart.Create(connectionString, address);
        start.Environment["Telemetry__Prometheus__Url"] = metricsAddress;
        start.Environment["Logging__Console__FormatterName"] = "json";
        start.Environment["Exports__SchedulerEnabled"] = "false";

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        string apiKey = await TestApiKeys.CreateInDatabaseAsync(connectionString);
        var server = new ServerProcess(Process.Start(start)!, address, $"{metricsAddress}/metrics", apiKey);
        await server.WaitUntilServingAsync();
        return server;
    }

    /// <summary>Creates a survey with a unique id and returns the id.</summary>
    public async Task<string> CreateSurveyAsync(string prefix)
    {
        string surveyId = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        await Surveys.CreateSurveyAsync(new CreateSurveyRequest { Survey = new Survey { SurveyId = surveyId, DisplayName = surveyId } });
        return surveyId;
    }

    /// <summary>Sends SIGTERM to the server process, as a container runtime or systemd does to stop it.</summary>
    public void SendSigterm()
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit and returns whether it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops the process with SIGTERM and waits for it, so its last log lines are flushed.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            SendSigterm();
            await WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        // WaitForExitAsync returns once the output streams reached their end, so every line is captured.
        await _process.WaitForExitAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"The server process exited with code {_process.ExitCode}:\n{string.Join('\n', OutputLines)}");
            }

            try
            {
                await Surveys.ListSurveysAsync(new ListSurveysRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private void Capture(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    // kill(2) from the C library; .NET's Process.Kill sends SIGKILL, which skips the graceful shutdown under test.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);
}

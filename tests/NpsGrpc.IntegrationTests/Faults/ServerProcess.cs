using System.Diagnostics;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>The built server (NpsGrpc.Server.dll) running as a separate process, so a test can kill it.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process) => _process = process;

    /// <summary>Process id of the server.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts the server on <paramref name="address"/> against <paramref name="connectionString"/> and waits until it
    /// completes a call.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string connectionString, string address, SurveyService.SurveyServiceClient surveys)
    {
        var start = ServerProcessStart.Create(connectionString, address);
        start.Environment["Exports__SchedulerEnabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var server = new ServerProcess(Process.Start(start)!);
        server._process.OutputDataReceived += (_, _) => { };
        server._process.ErrorDataReceived += (_, _) => { };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await server.WaitUntilServingAsync(surveys);
        return server;
    }

    /// <summary>Kills the server with SIGKILL, so it gets no chance to finish a call or close a connection.</summary>
    public async Task KillAsync()
    {
        // Process.Kill sends SIGKILL to this process id on Linux.
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private async Task WaitUntilServingAsync(SurveyService.SurveyServiceClient surveys)
    {
        var giveUp = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            Assert.False(_process.HasExited, $"The server process exited with code {(_process.HasExited ? _process.ExitCode : 0)}.");
            try
            {
                await surveys.ListSurveysAsync(new ListSurveysRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < giveUp)
            {
                await Task.Delay(100);
            }
        }
    }
}

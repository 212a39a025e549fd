using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// An ExportService with scripted responses on a free loopback port. It lets tests check what the CLI sends and how
/// it handles outcomes that the real server shows only under failure or load, such as a failed or slow run.
/// </summary>
public sealed class ExportScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ExportScriptedServer(WebApplication app, ScriptedExportService service, string address)
    {
        _app = app;
        Service = service;
        Address = address;
    }

    /// <summary>Base address, for example http://127.0.0.1:41234.</summary>
    public string Address { get; }

    /// <summary>The service, for scripting responses and reading the requests it received.</summary>
    public ScriptedExportService Service { get; }

    /// <summary>Starts the server.</summary>
    public static async Task<ExportScriptedServer> StartAsync()
    {
        var service = new ScriptedExportService();
        var builder = WebApplication.CreateSlimBuilder();

        // The test folder contains the real server's appsettings.json. Its Kestrel endpoint on port 50051 would be bound
        // as well, and binding fails whenever another process uses that port.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<ScriptedExportService>();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        return new ExportScriptedServer(app, service, address);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// The scripted ExportService. Every target call returns a copy of <see cref="Target"/> with the requested id.
/// RunExport queues run 1, and GetExportRun returns <see cref="RunStates"/> in turn, repeating the last one.
/// </summary>
public sealed class ScriptedExportService : ExportService.ExportServiceBase
{
    private int _runPolls;

    /// <summary>The target that target calls return.</summary>
    public ExportTarget Target { get; set; } = new() { Destination = "/srv/exports/scripted" };

    /// <summary>States of run 1 that successive GetExportRun calls return. The last one repeats.</summary>
    public List<ExportRunState> RunStates { get; } = [ExportRunState.Succeeded];

    /// <summary>Error of a failed run.</summary>
    public string RunError { get; set; } = "";

    /// <summary>Runs that ListExportRuns pages through, newest first.</summary>
    public List<ExportRun> History { get; } = [];

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<Google.Protobuf.IMessage> Requests { get; } = new();

    /// <summary>Number of GetExportRun calls received.</summary>
    public int RunPolls => Volatile.Read(ref _runPolls);

    /// <inheritdoc />
    public override Task<CreateExportTargetResponse> CreateExportTarget(
        CreateExportTargetRequest request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        return Task.FromResult(new CreateExportTargetResponse { Target = request.Target });
    }

    /// <inheritdoc />
    public override Task<UpdateExportTargetResponse> UpdateExportTarget(
        UpdateExportTargetRequest request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        return Task.FromResult(new UpdateExportTargetResponse { Target = TargetWithId(request.Target.TargetId) });
    }

    /// <inheritdoc />
    public override Task<ResumeExportTargetResponse> ResumeExportTarget(
        ResumeExportTargetRequest request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        return Task.FromResult(new ResumeExportTargetResponse { Target = TargetWithId(request.TargetId) });
    }

    /// <inheritdoc />
    public override Task<RunExportResponse> RunExport(RunExportRequest request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        return Task.FromResult(new RunExportResponse { Run = Run(request.TargetId, ExportRunState.Queued) });
    }

    /// <inheritdoc />
    public override Task<GetExportRunResponse> GetExportRun(GetExportRunRequest request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        int poll = Interlocked.Increment(ref _runPolls);
        var state = RunStates[Math.Min(poll, RunStates.Count) - 1];
        return Task.FromResult(new GetExportRunResponse { Run = Run(request.TargetId, state) });
    }

    /// <inheritdoc />
    public override Task<ListExportRunsResponse> ListExportRuns(ListExportRunsRequest request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        int offset = request.PageToken.Length == 0 ? 0 : int.Parse(request.PageToken, CultureInfo.InvariantCulture);
        int pageSize = request.PageSize == 0 ? 50 : request.PageSize;
        var response = new ListExportRunsResponse { Runs = { History.Skip(offset).Take(pageSize) } };
        if (offset + pageSize < History.Count)
        {
            response.NextPageToken = (offset + pageSize).ToString(CultureInfo.InvariantCulture);
        }

        return Task.FromResult(response);
    }

    private ExportTarget TargetWithId(string targetId)
    {
        var target = Target.Clone();
        target.TargetId = targetId;
        return target;
    }

    private ExportRun Run(string targetId, ExportRunState state)
    {
        var now = DateTime.UtcNow;
        var run = new ExportRun
        {
            RunId = 1,
            TargetId = targetId,
            Trigger = ExportTrigger.Manual,
            State = state,
            QueueTime = Timestamp.FromDateTime(now),
        };
        if (state is ExportRunState.Succeeded or ExportRunState.Failed)
        {
            run.StartTime = Timestamp.FromDateTime(now.AddSeconds(-2));
            run.EndTime = Timestamp.FromDateTime(now);
            run.Error = state == ExportRunState.Failed ? RunError : "";
        }

        if (state == ExportRunState.Succeeded)
        {
            run.RowsWritten = 120;
            run.FilesWritten = 5;
            run.BytesWritten = 2048;
            run.ManifestPath = "_manifests/run-0000000001.json";
        }

        return run;
    }
}

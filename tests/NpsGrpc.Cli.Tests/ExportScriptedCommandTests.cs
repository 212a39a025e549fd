using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// The 'nps exports' commands against <see cref="ExportScriptedServer"/>: the requests they send, and their output
/// and exit codes for succeeded, failed and slow runs.
/// </summary>
public sealed class ExportScriptedCommandTests : IAsyncLifetime
{
    private ExportScriptedServer? _server;

    private ExportScriptedServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await ExportScriptedServer.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Create_EveryOption_SendsTarget()
    {
        var result = await CliProcess.RunAsync(
            Server.Address,
            "exports", "create", "nightly", "--destination", "/srv/exports/nightly", "--survey", "checkout",
            "--survey", "support", "--schedule", "0 2 * * *", "--time-zone", "Europe/Berlin", "--segment", "region",
            "--segment", "plan", "--row-group-rows", "5000", "--confidence-level", "0.9", "--display-name",
            "Nightly export", "--paused");

        Assert.True(result.ExitCode == 0, result.ToString());
        var target = Assert.IsType<CreateExportTargetRequest>(Assert.Single(Server.Service.Requests)).Target;
        Assert.Equal("nightly", target.TargetId);
        Assert.Equal("/srv/exports/nightly", target.Destination);
        Assert.Equal(["checkout", "support"], target.SurveyIds);
        Assert.Equal("0 2 * * *", target.Schedule);
        Assert.Equal("Europe/Berlin", target.TimeZone);
        Assert.Equal(["region", "plan"], target.SegmentKeys);
        Assert.Equal(5000, target.RowGroupRows);
        Assert.Equal(0.9, target.ConfidenceLevel);
        Assert.Equal("Nightly export", target.DisplayName);
        Assert.True(target.Paused);
        Assert.Contains("Created export target nightly.", result.Stdout);
        Assert.Contains("segment keys: region, plan", result.Stdout);
    }

    [Fact]
    public async Task Create_OnlyDestination_LeavesDefaults()
    {
        var result = await CliProcess.RunAsync(
            Server.Address, "exports", "create", "adhoc", "--destination", "/srv/exports/adhoc");

        Assert.True(result.ExitCode == 0, result.ToString());
        var target = Assert.IsType<CreateExportTargetRequest>(Assert.Single(Server.Service.Requests)).Target;
        Assert.Empty(target.SurveyIds);
        Assert.Equal("", target.Schedule);
        Assert.Equal("", target.TimeZone);
        Assert.Equal(0, target.RowGroupRows);
        Assert.Equal(0, target.ConfidenceLevel);
        Assert.False(target.Paused);
    }

    [Fact]
    public async Task Update_EmptySchedule_ClearsSchedule()
    {
        var result = await CliProcess.RunAsync(Server.Address, "exports", "update", "nightly", "--schedule", "");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.IsType<UpdateExportTargetRequest>(Assert.Single(Server.Service.Requests));
        Assert.Equal("nightly", request.Target.TargetId);
        Assert.Equal(["schedule"], request.UpdateMask);
        Assert.Equal("", request.Target.Schedule);
        Assert.Contains("Updated schedule of export target nightly.", result.Stdout);
    }

    [Fact]
    public async Task Update_SeveralOptions_MasksEachGiven()
    {
        var result = await CliProcess.RunAsync(
            Server.Address,
            "exports", "update", "nightly", "--display-name", "Renamed", "--row-group-rows", "0",
            "--confidence-level", "0.99");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.IsType<UpdateExportTargetRequest>(Assert.Single(Server.Service.Requests));
        Assert.Equal(["display_name", "row_group_rows", "confidence_level"], request.UpdateMask);
        Assert.Equal("Renamed", request.Target.DisplayName);
        Assert.Equal(0, request.Target.RowGroupRows);
        Assert.Equal(0.99, request.Target.ConfidenceLevel);
    }

    [Fact]
    public async Task Resume_ScheduledTarget_ShowsNextRun()
    {
        Server.Service.Target = new ExportTarget
        {
            Schedule = "0 2 * * *",
            NextRunTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(
                new DateTime(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc)),
        };

        var result = await CliProcess.RunAsync(Server.Address, "exports", "resume", "nightly");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Resumed export target nightly; next run: 2026-03-02T01:00:00Z.", result.Stdout);
    }

    [Fact]
    public async Task Run_Restatement_SendsDatesWithoutWaiting()
    {
        var result = await CliProcess.RunAsync(
            Server.Address,
            "exports", "run", "nightly", "--restate-from", "2026-02-01", "--restate-to", "2026-02-28");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.IsType<RunExportRequest>(Assert.Single(Server.Service.Requests));
        Assert.Equal("2026-02-01", request.RestateFrom);
        Assert.Equal("2026-02-28", request.RestateTo);
        Assert.Equal(0, Server.Service.RunPolls);
        Assert.Contains("Queued run 1 of export target nightly.", result.Stdout);
    }

    [Fact]
    public async Task RunWait_Succeeds_ExitsWithZero()
    {
        Server.Service.RunStates.Clear();
        Server.Service.RunStates.AddRange([ExportRunState.Queued, ExportRunState.Running, ExportRunState.Succeeded]);

        var result = await CliProcess.RunAsync(Server.Address, "exports", "run", "nightly", "--wait");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, Server.Service.RunPolls);
        Assert.Contains("Run 1 of export target nightly succeeded: 120 rows, 5 files, 2.0 KiB in 2.0 s", result.Stdout);
        Assert.Contains("manifest _manifests/run-0000000001.json", result.Stdout);
    }

    [Fact]
    public async Task RunWait_Fails_ExitsWithThreeAndError()
    {
        Server.Service.RunStates.Clear();
        Server.Service.RunStates.AddRange([ExportRunState.Running, ExportRunState.Failed]);
        Server.Service.RunError = "destination is not writable";

        var result = await CliProcess.RunAsync(Server.Address, "exports", "run", "nightly", "--wait");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(
            "error: run 1 of export target nightly failed: destination is not writable", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task RunWait_Timeout_ExitsWithThree()
    {
        Server.Service.RunStates.Clear();
        Server.Service.RunStates.Add(ExportRunState.Running);

        var started = DateTime.UtcNow;
        var result = await CliProcess.RunAsync(
            Server.Address, "exports", "run", "nightly", "--wait", "--timeout", "2");

        // On a loaded machine every poll can overrun the deadline, and then the last state known is the queued
        // state that RunExport returned.
        Assert.Equal(3, result.ExitCode);
        Assert.Contains(
            "error: waiting for run 1 of export target nightly timed out after 2 s (--timeout).", result.Stderr);
        Assert.Matches(@"The run is still (queued|running) on the server\.", result.Stderr);
        Assert.Contains("nps exports runs nightly", result.Stderr);
        Assert.True(Server.Service.RunPolls >= 1, $"{Server.Service.RunPolls} polls");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RunWaitJson_Succeeds_PrintsFinalRun()
    {
        var result = await CliProcess.RunAsync(Server.Address, "exports", "run", "nightly", "--wait", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = result.ParseJson<GetExportRunResponse>().Run;
        Assert.Equal(ExportRunState.Succeeded, run.State);
        Assert.Equal(120, run.RowsWritten);
    }

    [Fact]
    public async Task Runs_Limit_StopsAtLimit()
    {
        Server.Service.History.AddRange(
            Enumerable.Range(1, 30).Reverse().Select(id => new ExportRun { RunId = id, TargetId = "nightly" }));

        var result = await CliProcess.RunAsync(
            Server.Address, "exports", "runs", "nightly", "--limit", "25", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var runs = result.ParseJson<ListExportRunsResponse>().Runs;
        Assert.Equal(25, runs.Count);
        Assert.Equal(30, runs[0].RunId);
        var request = Assert.IsType<ListExportRunsRequest>(Assert.Single(Server.Service.Requests));
        Assert.Equal(25, request.PageSize);
    }

    [Fact]
    public async Task Runs_LimitZero_ListsEveryPage()
    {
        Server.Service.History.AddRange(
            Enumerable.Range(1, 1500).Reverse().Select(id => new ExportRun { RunId = id, TargetId = "nightly" }));

        var result = await CliProcess.RunAsync(Server.Address, "exports", "runs", "nightly", "--limit", "0", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1500, result.ParseJson<ListExportRunsResponse>().Runs.Count);
        Assert.Equal(2, Server.Service.Requests.Count);
    }

    [Fact]
    public async Task Runs_MoreThanLimit_PrintsLimitNote()
    {
        Server.Service.History.AddRange(
            Enumerable.Range(1, 3).Reverse().Select(id => new ExportRun { RunId = id, TargetId = "nightly" }));

        var limited = await CliProcess.RunAsync(Server.Address, "exports", "runs", "nightly", "--limit", "2");
        var all = await CliProcess.RunAsync(Server.Address, "exports", "runs", "nightly", "--limit", "3");

        Assert.True(limited.ExitCode == 0, limited.ToString());
        Assert.Contains("Showing the newest 2 runs; --limit 0 shows every run.", limited.Stdout);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.DoesNotContain("Showing the newest", all.Stdout);
    }
}

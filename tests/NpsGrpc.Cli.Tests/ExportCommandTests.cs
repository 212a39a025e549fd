using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// The 'nps exports' commands against a real server. Each test creates its own targets, writing into a temporary
/// directory that the test deletes at the end.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ExportCommandTests(ServerFixture fixture) : IDisposable
{
    private readonly string _destinationRoot =
        Path.Combine(Path.GetTempPath(), $"nps-cli-export-test-{Guid.NewGuid():N}");

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(_destinationRoot))
        {
            Directory.Delete(_destinationRoot, recursive: true);
        }
    }

    [Fact]
    public async Task Create_ThenGetAndList_ShowsTarget()
    {
        string survey = await fixture.Server.CreateSurveyAsync("export");
        string targetId = NewTargetId();
        string destination = Destination(targetId);

        var create = await RunAsync(
            "exports", "create", targetId, "--destination", destination, "--survey", survey, "--schedule",
            "0 2 * * *", "--time-zone", "Europe/Berlin", "--segment", "channel", "--display-name", "Nightly");
        var get = await RunAsync("exports", "get", targetId);
        var getJson = await RunAsync("exports", "get", targetId, "--json");
        var list = await RunAsync("exports", "list", "--page-size", "1");

        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Contains($"Created export target {targetId}.", create.Stdout);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains($"id: {targetId}", get.Stdout);
        Assert.Contains("name: Nightly", get.Stdout);
        Assert.Contains($"destination: {destination}", get.Stdout);
        Assert.Contains($"surveys: {survey}", get.Stdout);
        Assert.Contains("schedule: 0 2 * * *", get.Stdout);
        Assert.Contains("time zone: Europe/Berlin", get.Stdout);
        Assert.Contains("segment keys: channel", get.Stdout);
        Assert.Contains("paused: no", get.Stdout);
        Assert.Contains("last successful run: none", get.Stdout);
        Assert.True(getJson.ExitCode == 0, getJson.ToString());
        var target = getJson.ParseJson<GetExportTargetResponse>().Target;
        Assert.Equal(targetId, target.TargetId);
        Assert.NotNull(target.NextRunTime);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(targetId, list.Stdout);
    }

    [Fact]
    public async Task PauseResume_ScheduledTarget_TogglesPaused()
    {
        string targetId = await CreateTargetAsync("--schedule", "0 2 * * *");

        var pause = await RunAsync("exports", "pause", targetId);
        var paused = await RunAsync("exports", "get", targetId);
        var resume = await RunAsync("exports", "resume", targetId);
        var resumed = await RunAsync("exports", "get", targetId, "--json");

        Assert.True(pause.ExitCode == 0, pause.ToString());
        Assert.Contains($"Paused export target {targetId}.", pause.Stdout);
        Assert.Contains("paused: yes", paused.Stdout);
        Assert.Contains("next run: none (paused)", paused.Stdout);
        Assert.True(resume.ExitCode == 0, resume.ToString());
        Assert.Contains($"Resumed export target {targetId}; next run: 20", resume.Stdout);
        var target = resumed.ParseJson<GetExportTargetResponse>().Target;
        Assert.False(target.Paused);
        Assert.NotNull(target.NextRunTime);
    }

    [Fact]
    public async Task Update_EmptySchedule_ClearsSchedule()
    {
        string targetId = await CreateTargetAsync("--schedule", "0 2 * * *");

        var update = await RunAsync(
            "exports", "update", targetId, "--schedule", "", "--display-name", "On demand", "--row-group-rows", "2000");
        var get = await RunAsync("exports", "get", targetId, "--json");

        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Contains($"Updated schedule, display_name, row_group_rows of export target {targetId}.", update.Stdout);
        Assert.Contains("schedule: none (runs only on demand)", update.Stdout);
        var target = get.ParseJson<GetExportTargetResponse>().Target;
        Assert.Equal("", target.Schedule);
        Assert.Equal("On demand", target.DisplayName);
        Assert.Equal(2000, target.RowGroupRows);
        Assert.Null(target.NextRunTime);
    }

    [Fact]
    public async Task RunWait_IngestedResponses_PublishesManifest()
    {
        string survey = await IngestSurveyAsync();
        string targetId = await CreateTargetAsync("--survey", survey, "--segment", "channel");

        var run = await RunAsync("exports", "run", targetId, "--wait", "--timeout", "120");
        var runs = await RunAsync("exports", "runs", targetId);
        var runsJson = await RunAsync("exports", "runs", targetId, "--json");
        var get = await RunAsync("exports", "get", targetId);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"of export target {targetId} succeeded: 3 rows,", run.Stdout);
        Assert.Contains("manifest _manifests/", run.Stdout);
        Assert.True(File.Exists(Path.Combine(Destination(targetId), "_manifests", "latest.json")));
        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Contains("manual", runs.Stdout);
        Assert.Contains("succeeded", runs.Stdout);
        var history = runsJson.ParseJson<ListExportRunsResponse>().Runs;
        var single = Assert.Single(history);
        Assert.Equal(ExportRunState.Succeeded, single.State);
        Assert.Equal(ExportTrigger.Manual, single.Trigger);
        Assert.Equal(3, single.RowsWritten);
        Assert.True(single.FilesWritten > 0);
        Assert.Contains($"last successful run: {single.RunId},", get.Stdout);
    }

    [Fact]
    public async Task RunWait_Restatement_Succeeds()
    {
        string survey = await IngestSurveyAsync();
        string targetId = await CreateTargetAsync("--survey", survey);
        var incremental = await RunAsync("exports", "run", targetId, "--wait", "--timeout", "120");

        var restatement = await RunAsync(
            "exports", "run", targetId, "--restate-from", "2026-03-01", "--restate-to", "2026-03-31", "--wait",
            "--timeout", "120", "--json");

        Assert.True(incremental.ExitCode == 0, incremental.ToString());
        Assert.True(restatement.ExitCode == 0, restatement.ToString());
        var run = restatement.ParseJson<GetExportRunResponse>().Run;
        Assert.Equal(ExportRunState.Succeeded, run.State);
        Assert.Equal("2026-03-01", run.RestateFrom);
        Assert.Equal("2026-03-31", run.RestateTo);
    }

    [Fact]
    public async Task Run_WithoutWait_QueuesRun()
    {
        string survey = await fixture.Server.CreateSurveyAsync("export");
        string targetId = await CreateTargetAsync("--survey", survey);

        var run = await RunAsync("exports", "run", targetId, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var queued = run.ParseJson<RunExportResponse>().Run;
        Assert.Equal(targetId, queued.TargetId);
        Assert.True(queued.RunId > 0);
        Assert.Equal(ExportTrigger.Manual, queued.Trigger);
        Assert.Equal(ExportRunState.Succeeded, await WaitForRunEndAsync(queued));
    }

    [Fact]
    public async Task Delete_Target_GetReturnsNotFound()
    {
        string targetId = await CreateTargetAsync();

        var delete = await RunAsync("exports", "delete", targetId);
        var get = await RunAsync("exports", "get", targetId);

        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Contains($"Deleted export target {targetId}.", delete.Stdout);
        Assert.Equal(3, get.ExitCode);
        Assert.Contains("NotFound", get.Stderr);
    }

    [Fact]
    public async Task Create_UnknownSurvey_ExitsWithThree()
    {
        string targetId = NewTargetId();

        var result = await RunAsync(
            "exports", "create", targetId, "--destination", Destination(targetId), "--survey", "no-such-survey");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("NotFound", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Create_InvalidCron_ExitsWithThree()
    {
        string targetId = NewTargetId();

        var result = await RunAsync(
            "exports", "create", targetId, "--destination", Destination(targetId), "--schedule", "every night");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("returned InvalidArgument", result.Stderr);
        Assert.Contains("field ", result.Stderr);
    }

    [Fact]
    public async Task Create_ExistingId_ExitsWithThree()
    {
        string targetId = await CreateTargetAsync();

        var result = await RunAsync(
            "exports", "create", targetId, "--destination", Path.Combine(_destinationRoot, "second"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("AlreadyExists", result.Stderr);
    }

    [Fact]
    public async Task Runs_UnknownTarget_ExitsWithThree()
    {
        var result = await RunAsync("exports", "runs", NewTargetId());

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("NotFound", result.Stderr);
    }

    private static string NewTargetId() => $"cli-{Guid.NewGuid():N}";

    private string Destination(string targetId) => Path.Combine(_destinationRoot, targetId);

    private Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(fixture.Server.Address, args);

    private async Task<string> CreateTargetAsync(params string[] options)
    {
        string targetId = NewTargetId();
        var result = await RunAsync(
            ["exports", "create", targetId, "--destination", Destination(targetId), .. options]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return targetId;
    }

    // Polls the run until it ends, so that it writes no files after Dispose deleted the destination.
    private async Task<ExportRunState> WaitForRunEndAsync(ExportRun run)
    {
        var client = new ExportService.ExportServiceClient(fixture.Server.Channel);
        var request = new GetExportRunRequest { TargetId = run.TargetId, RunId = run.RunId };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var state = (await client.GetExportRunAsync(request)).Run.State;
            if (state is ExportRunState.Succeeded or ExportRunState.Failed)
            {
                return state;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"Run {run.RunId} of export target {run.TargetId} did not end within 2 minutes.");
    }

    // Three responses in March 2026: a detractor, a passive and a promoter, on two channels.
    private async Task<string> IngestSurveyAsync()
    {
        string survey = await fixture.Server.CreateSurveyAsync("export");
        string prefix = TestFiles.UniquePrefix();
        using var csv = new TemporaryCsv(
            "customer,score,when,channel\n" +
            $"{prefix}-1,0,2026-03-02T09:00:00Z,web\n" +
            $"{prefix}-2,7,2026-03-02T10:00:00Z,email\n" +
            $"{prefix}-3,10,2026-03-03T11:00:00Z,web\n");
        var result = await RunAsync(
            "ingest", csv.Path, "--survey", survey, "--customer-id", "customer", "--score", "score",
            "--timestamp", "when", "--attribute", "channel=channel");
        Assert.True(result.ExitCode == 0, result.ToString());
        return survey;
    }
}

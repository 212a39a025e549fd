using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Cli.Commands;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Tests;

/// <summary>Text and tables of export targets and runs.</summary>
public sealed class ExportTextTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 2, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(812, 2.5, "812 B in 2.5 s")]
    [InlineData(1536, 59.94, "1.5 KiB in 59.9 s")]
    [InlineData(5L * 1024 * 1024, 65, "5.0 MiB in 1 min 05 s")]
    [InlineData(3L * 1024 * 1024 * 1024, 7500, "3.0 GiB in 2 h 05 min")]
    public void Summary_SucceededRun_ShowsSizeAndDuration(long bytes, double seconds, string expected)
    {
        var run = new ExportRun
        {
            RunId = 42,
            TargetId = "nightly",
            State = ExportRunState.Succeeded,
            RowsWritten = 1200,
            FilesWritten = 7,
            BytesWritten = bytes,
            ManifestPath = "_manifests/run-0000000042.json",
            StartTime = Timestamp.FromDateTime(Start),
            EndTime = Timestamp.FromDateTime(Start.AddSeconds(seconds)),
        };

        string summary = ExportText.Summary(run);

        Assert.StartsWith("Run 42 of export target nightly succeeded: 1200 rows, 7 files, ", summary);
        Assert.Contains(expected, summary);
        Assert.EndsWith("; manifest _manifests/run-0000000042.json.", summary);
    }

    [Fact]
    public void WriteTarget_Defaults_NamesDefaults()
    {
        var target = new ExportTarget { TargetId = "adhoc", Destination = "/srv/exports/adhoc" };
        using var output = new StringWriter();

        ExportText.WriteTarget(output, target);

        string text = output.ToString();
        Assert.Contains("surveys: all, including surveys created later", text);
        Assert.Contains("schedule: none (runs only on demand)", text);
        Assert.Contains("time zone: UTC", text);
        Assert.Contains("segment keys: none", text);
        Assert.Contains("row group rows: 122880 (default)", text);
        Assert.Contains("confidence level: 0.95 (default)", text);
        Assert.Contains("next run: none (no schedule)", text);
        Assert.Contains("last successful run: none", text);
    }

    [Fact]
    public void WriteTarget_PausedTarget_ShowsPausedNextRun()
    {
        var target = new ExportTarget
        {
            TargetId = "nightly",
            Schedule = "0 2 * * *",
            TimeZone = "Europe/Berlin",
            SurveyIds = { "checkout", "support" },
            SegmentKeys = { "region" },
            Paused = true,
            LastSuccessfulRun = new ExportRun
            {
                RunId = 7,
                RowsWritten = 30,
                EndTime = Timestamp.FromDateTime(Start),
            },
        };
        using var output = new StringWriter();

        ExportText.WriteTarget(output, target);

        string text = output.ToString();
        Assert.Contains("surveys: checkout, support", text);
        Assert.Contains("schedule: 0 2 * * *", text);
        Assert.Contains("time zone: Europe/Berlin", text);
        Assert.Contains("paused: yes", text);
        Assert.Contains("next run: none (paused)", text);
        Assert.Contains("last successful run: 7, ended 2026-03-01T02:00:00Z, 30 rows", text);
    }

    [Fact]
    public void RunsTable_FailedRestatement_ShowsRangeAndError()
    {
        var run = new ExportRun
        {
            RunId = 9,
            Trigger = ExportTrigger.Manual,
            State = ExportRunState.Failed,
            RestateFrom = "2026-02-01",
            RestateTo = "2026-02-28",
            Error = "disk full\nwhile writing fact_response",
        };
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 300;

        console.Write(ExportText.BuildRunsTable([run]));

        string text = output.ToString();
        Assert.Contains("manual, restate 2026-02-01 to 2026-02-28", text);
        Assert.Contains("failed", text);
        Assert.Contains("disk full while writing fact_response", text);
    }
}

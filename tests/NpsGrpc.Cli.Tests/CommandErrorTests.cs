using System.Net;
using System.Net.Sockets;
using NpsGrpc.Testing;

namespace NpsGrpc.Cli.Tests;

/// <summary>Exit codes and messages for usage errors and server failures.</summary>
[Collection(ServerCollection.Name)]
public sealed class CommandErrorTests(ServerFixture fixture)
{
    [Fact]
    public async Task SurveysList_UnreachableServer_ExitsWithThree()
    {
        string address = $"http://127.0.0.1:{FreePort()}";

        var result = await CliProcess.RunAsync(address, "surveys", "list");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"the server at {address} returned Unavailable", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Ingest_UnreachableServer_ExitsWithThree()
    {
        using var csv = new TemporaryCsv("customer,score\na,9\n");

        var result = await CliProcess.RunAsync(
            $"http://127.0.0.1:{FreePort()}",
            "ingest", csv.Path, "--survey", "any", "--customer-id", "customer", "--score", "score",
            "--responded-at", "2024-01-01T00:00:00Z");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Unavailable", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Ingest_UnknownSurvey_ExitsWithThree()
    {
        using var csv = new TemporaryCsv($"customer,score\n{TestFiles.UniquePrefix()},9\n");

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", csv.Path, "--survey", "no-such-survey", "--customer-id", "customer", "--score", "score",
            "--responded-at", "2024-01-01T00:00:00Z");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("NotFound", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Ingest_MissingColumn_ExitsWithTwo()
    {
        using var csv = new TemporaryCsv("customer,score\na,9\n");

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "ingest", csv.Path, "--survey", "any", "--customer-id", "client", "--score", "score",
            "--responded-at", "2024-01-01T00:00:00Z");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--customer-id names column 'client'", result.Stderr);
        Assert.Contains("'customer', 'score'", result.Stderr);
    }

    [Theory]
    [InlineData(
        "ingest", "missing.csv", "--survey", "s", "--customer-id", "c", "--score", "s", "--responded-at", "2024-01-01")]
    [InlineData("ingest", "--survey", "s")]
    [InlineData("nps", "--survey", "s", "--confidence", "1.5")]
    [InlineData("surveys", "list", "--server", "ftp://example")]
    [InlineData("unknown-command")]
    public async Task Run_InvalidArguments_ExitsWithTwo(params string[] args)
    {
        var result = await CliProcess.RunWithoutServerAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error:", result.Stderr);
    }

    [Theory]
    [InlineData("--where: Condition 'region' is invalid", "segments", "--survey", "s", "--where", "region")]
    [InlineData("no value after '='", "segments", "--survey", "s", "--where", "region=")]
    [InlineData("empty value between '|'", "trend", "--survey", "s", "--from", "2026-01-01", "--to", "2026-02-01",
        "--bucket", "week", "--where", "region=a||b")]
    [InlineData("--where-customer", "compare", "--survey", "s", "--current", "this-month", "--baseline",
        "last-month", "--where-customer", "plan type=pro")]
    [InlineData("--bucket 'fortnight' is invalid; use one of day, week, month, quarter, year", "trend", "--survey",
        "s", "--from", "2026-01-01", "--to", "2026-02-01", "--bucket", "fortnight")]
    [InlineData("--sort 'size' is invalid", "segments", "--survey", "s", "--sort", "size")]
    [InlineData("Time zone 'Mars/Olympus' is not known", "trend", "--survey", "s", "--from", "2026-01-01", "--to",
        "2026-02-01", "--bucket", "week", "--tz", "Mars/Olympus")]
    [InlineData("Time zone 'Mars/Olympus' is not known", "compare", "--survey", "s", "--current", "this-month",
        "--baseline", "last-month", "--tz", "Mars/Olympus")]
    [InlineData("--baseline 'lastmonth' is not a time range", "compare", "--survey", "s", "--current",
        "this-month", "--baseline", "lastmonth")]
    [InlineData("--to 2026-01-01 is not after --from 2026-02-01", "trend", "--survey", "s", "--from", "2026-02-01",
        "--to", "2026-01-01", "--bucket", "day")]
    [InlineData("--from '2026-13-01' is not an ISO 8601 date", "segments", "--survey", "s", "--from", "2026-13-01")]
    [InlineData("at most one of --by KEY and --by-customer KEY", "trend", "--survey", "s", "--from", "2026-01-01",
        "--to", "2026-02-01", "--bucket", "day", "--by", "a", "--by-customer", "b")]
    [InlineData("--rolling is 1", "trend", "--survey", "s", "--from", "2026-01-01", "--to", "2026-02-01",
        "--bucket", "day", "--rolling", "1")]
    [InlineData("at most 3 are allowed", "segments", "--survey", "s", "--by", "a", "--by", "b", "--by-customer", "c",
        "--by-customer", "d")]
    [InlineData("--confidence is 1", "segments", "--survey", "s", "--confidence", "1")]
    public async Task QueryCommands_UsageErrors_ExitWithTwo(string expectedMessage, params string[] args)
    {
        var result = await CliProcess.RunWithoutServerAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expectedMessage, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Segments_InvalidGroupKey_ExitsWithThree()
    {
        string survey = await fixture.Server.CreateSurveyAsync("errors");

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "segments", "--survey", survey, "--by", "plan type");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("returned InvalidArgument", result.Stderr);
        Assert.Contains("field group_by[0].key", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Trend_TooManyBuckets_ExitsWithThree()
    {
        string survey = await fixture.Server.CreateSurveyAsync("errors");

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "trend", "--survey", survey, "--from", "2000-01-01", "--to", "2026-01-01", "--bucket", "day");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("returned InvalidArgument", result.Stderr);
        Assert.Contains("buckets", result.Stderr);
    }

    [Fact]
    public async Task Compare_UnknownSurvey_ExitsWithThree()
    {
        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "compare", "--survey", "no-such-survey", "--current", "this-month", "--baseline", "last-month");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("NotFound", result.Stderr);
    }

    [Theory]
    [InlineData("segments")]
    [InlineData("trend")]
    [InlineData("compare")]
    public async Task Help_QueryCommand_ShowsUsage(string command)
    {
        var result = await CliProcess.RunWithoutServerAsync(command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"nps {command} [options]", result.Stdout);
        Assert.Contains("--where <CONDITION>", result.Stdout);
    }

    [Fact]
    public async Task Help_Compare_ListsShortcuts()
    {
        var result = await CliProcess.RunWithoutServerAsync("compare", "--help");

        Assert.Contains("this-month", result.Stdout);
        Assert.Contains("last-month", result.Stdout);
    }

    [Fact]
    public async Task Ingest_BothTimestampSources_ExitsWithTwo()
    {
        using var csv = new TemporaryCsv("customer,score,when\na,9,2024-01-01\n");

        var result = await CliProcess.RunWithoutServerAsync(
            "ingest", csv.Path, "--survey", "s", "--customer-id", "customer", "--score", "score",
            "--timestamp", "when", "--responded-at", "2024-01-01T00:00:00Z");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("exactly one of --timestamp COLUMN and --responded-at INSTANT", result.Stderr);
    }

    [Fact]
    public async Task Help_NpsCommand_ShowsProgramName()
    {
        var result = await CliProcess.RunWithoutServerAsync("nps", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("nps nps [options]", result.Stdout);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

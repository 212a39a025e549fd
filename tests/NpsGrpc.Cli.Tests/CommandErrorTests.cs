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

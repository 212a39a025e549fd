using System.Net;
using System.Net.Sockets;

namespace NpsGrpc.Cli.Tests;

/// <summary>Usage errors, help and an unreachable server for the 'nps exports' commands, with no server running.</summary>
public sealed class ExportCommandErrorTests
{
    [Theory]
    [InlineData("--restate-from '2026-13-01' is not a date in the form YYYY-MM-DD",
        "exports", "run", "t", "--restate-from", "2026-13-01", "--restate-to", "2026-12-31")]
    [InlineData("--restate-to '2026-02-30' is not a date in the form YYYY-MM-DD",
        "exports", "run", "t", "--restate-from", "2026-02-01", "--restate-to", "2026-02-30")]
    [InlineData("--restate-from '2026-2-01' is not a date in the form YYYY-MM-DD",
        "exports", "run", "t", "--restate-from", "2026-2-01", "--restate-to", "2026-02-28")]
    [InlineData("--restate-from '2026-02-01T00:00:00Z' is not a date in the form YYYY-MM-DD",
        "exports", "run", "t", "--restate-from", "2026-02-01T00:00:00Z", "--restate-to", "2026-02-28")]
    [InlineData("--restate-to is missing; give both --restate-from and --restate-to",
        "exports", "run", "t", "--restate-from", "2026-02-01")]
    [InlineData("--restate-from is missing; give both --restate-from and --restate-to",
        "exports", "run", "t", "--restate-to", "2026-02-01")]
    [InlineData("--restate-to 2026-01-31 is before --restate-from 2026-02-01",
        "exports", "run", "t", "--restate-from", "2026-02-01", "--restate-to", "2026-01-31")]
    [InlineData("--timeout applies only with --wait", "exports", "run", "t", "--timeout", "10")]
    [InlineData("--timeout is 0; it must be at least 1", "exports", "run", "t", "--wait", "--timeout", "0")]
    [InlineData("Nothing to update; give at least one of --schedule", "exports", "update", "t")]
    [InlineData("--row-group-rows is 999; it must be 0 (the default) or from 1000 to 1048576",
        "exports", "create", "t", "--destination", "/tmp/x", "--row-group-rows", "999")]
    [InlineData("--row-group-rows is 1048577", "exports", "update", "t", "--row-group-rows", "1048577")]
    [InlineData("--confidence-level is 1; it must be strictly between 0 and 1",
        "exports", "update", "t", "--confidence-level", "1")]
    [InlineData("--segment names 6 keys; at most 5 are allowed",
        "exports", "create", "t", "--destination", "/tmp/x", "--segment", "a", "--segment", "b", "--segment", "c",
        "--segment", "d", "--segment", "e", "--segment", "f")]
    [InlineData("Option '--destination' is required", "exports", "create", "t")]
    [InlineData("--limit is -1; it must be at least 0", "exports", "runs", "t", "--limit", "-1")]
    public async Task Exports_UsageErrors_ExitWithTwo(string expectedMessage, params string[] args)
    {
        var result = await CliProcess.RunWithoutServerAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expectedMessage, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Theory]
    [InlineData("exports", "list")]
    [InlineData("exports", "get", "t")]
    [InlineData("exports", "runs", "t")]
    [InlineData("exports", "run", "t", "--wait", "--timeout", "5")]
    [InlineData("exports", "run", "t", "--restate-from", "2026-02-01", "--restate-to", "2026-02-01")]
    [InlineData("exports", "update", "t", "--schedule", "")]
    [InlineData("exports", "update", "t", "--display-name", "", "--row-group-rows", "0")]
    [InlineData("exports", "delete", "t")]
    public async Task Exports_ValidArgumentsUnreachableServer_ExitWithThree(params string[] args)
    {
        string address = $"http://127.0.0.1:{FreePort()}";

        var result = await CliProcess.RunAsync(address, args);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"the server at {address} returned Unavailable", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Help_Exports_ListsSubcommands()
    {
        var result = await CliProcess.RunWithoutServerAsync("exports", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (string subcommand in new[] { "create", "list", "get", "update", "pause", "resume", "delete", "run", "runs" })
        {
            Assert.Contains($"  {subcommand} ", result.Stdout);
        }
    }

    [Fact]
    public async Task Help_ExportsRun_ShowsOptions()
    {
        var result = await CliProcess.RunWithoutServerAsync("exports", "run", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("nps exports run <TARGET_ID> [options]", result.Stdout);
        Assert.Contains("--restate-from <YYYY-MM-DD>", result.Stdout);
        Assert.Contains("--timeout <SECONDS>", result.Stdout);
    }

    [Fact]
    public async Task Help_Root_MentionsExports()
    {
        var result = await CliProcess.RunWithoutServerAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("exports", result.Stdout);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

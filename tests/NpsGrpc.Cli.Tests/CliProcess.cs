using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Google.Protobuf;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>Output of one run of the nps command.</summary>
/// <param name="ExitCode">Process exit code.</param>
/// <param name="Stdout">Everything written to stdout.</param>
/// <param name="Stderr">Everything written to stderr.</param>
public sealed partial record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Returns the number on the summary line "<paramref name="label"/>: N" of stdout.</summary>
    public long Count(string label)
    {
        var match = Regex.Match(Stdout, $"^{Regex.Escape(label)}: (\\d+)\\r?$", RegexOptions.Multiline);
        Assert.True(match.Success, $"No '{label}: N' line in the output:\n{this}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Parses stdout as the JSON of a GetNps response.</summary>
    public GetNpsResponse ParseNpsJson() => ParseJson<GetNpsResponse>();

    /// <summary>Parses stdout as the JSON of an API message of type <typeparamref name="T"/>.</summary>
    public T ParseJson<T>()
        where T : IMessage<T>, new()
    {
        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
        return parser.Parse<T>(Stdout);
    }

    /// <inheritdoc />
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the built nps command as a separate process with 'dotnet nps.dll'.</summary>
public static class CliProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Path of nps.dll in the CLI project's output folder, built in the same configuration as these tests.
    /// </summary>
    public static string CliPath { get; } = FindCli();

    /// <summary>
    /// Runs nps with <paramref name="args"/> against <paramref name="server"/>, with the server's API key in
    /// NPS_API_KEY when <paramref name="server"/> is a <see cref="RunningServer"/>.
    /// </summary>
    public static Task<CliResult> RunAsync(string server, params string[] args) =>
        RunWithKeyAsync(RunningServer.ApiKeyFor(server), [.. args, "--server", server]);

    /// <summary>Runs nps with exactly <paramref name="args"/>, with NPS_SERVER unset.</summary>
    public static Task<CliResult> RunWithoutServerAsync(params string[] args) => RunWithKeyAsync(null, args);

    /// <summary>
    /// Runs nps with exactly <paramref name="args"/>, with NPS_SERVER unset and NPS_API_KEY set to
    /// <paramref name="apiKey"/> (unset when null).
    /// </summary>
    public static async Task<CliResult> RunWithKeyAsync(string? apiKey, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NPS_SERVER");
        start.Environment.Remove("NPS_CA_FILE");
        if (apiKey is null)
        {
            start.Environment.Remove("NPS_API_KEY");
        }
        else
        {
            start.Environment["NPS_API_KEY"] = apiKey;
        }

        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"nps {string.Join(' ', args)} did not finish within {Timeout}.");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindCli()
    {
        var attribute = typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>();
        string configuration = attribute?.Configuration ?? "Debug";
        string path = Path.Combine(
            TestDatabase.RepositoryRoot(), "src", "NpsGrpc.Cli", "bin", configuration, "net10.0", "nps.dll");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{path} does not exist; build src/NpsGrpc.Cli in {configuration} first.");
        }

        return path;
    }
}

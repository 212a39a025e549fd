using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>The 'nps keys' commands, the --api-key option and https servers with --ca-file.</summary>
[Collection(ServerCollection.Name)]
public sealed class KeysCommandTests(ServerFixture fixture)
{
    [Fact]
    public async Task CreateDirect_FreshDatabase_KeyWorksOnServer()
    {
        await using var database = await TestDatabase.CreateAsync("nps_bootstrap");

        var created = await CliProcess.RunWithoutServerAsync(
            "keys", "create", "--connection-string", database.ConnectionString, "--name", "first-admin", "--scope", "admin");
        string key = created.Stdout.Trim();
        await using var server = await RunningServer.StartAsync(database.ConnectionString);
        var list = await CliProcess.RunWithKeyAsync(key, "keys", "list", "--server", server.Address);

        Assert.Equal(0, created.ExitCode);
        Assert.Matches("^nps_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", key);
        Assert.Contains("first-admin", created.Stderr);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("first-admin", list.Stdout);
        Assert.DoesNotContain(key, list.Stdout);
    }

    [Fact]
    public async Task CreateThroughServer_Json_HasScopesSurveysExpiry()
    {
        var before = DateTimeOffset.UtcNow;

        var result = await CliProcess.RunAsync(
            fixture.Server.Address,
            "keys", "create", "--name", $"cli-{Guid.NewGuid():N}", "--scope", "ingest", "--scope", "QUERY",
            "--survey", "alpha", "--survey", "beta", "--expires", "30d", "--json");

        Assert.Equal(0, result.ExitCode);
        var response = result.ParseJson<CreateApiKeyResponse>();
        Assert.Equal([ApiKeyScope.Ingest, ApiKeyScope.Query], response.ApiKey.Scopes.Order());
        Assert.Equal(["alpha", "beta"], response.ApiKey.SurveyIds);
        var expires = response.ApiKey.ExpireTime.ToDateTimeOffset();
        Assert.InRange(expires, before.AddDays(30), DateTimeOffset.UtcNow.AddDays(30));
        Assert.StartsWith($"nps_{response.ApiKey.KeyId}_", response.Secret);
    }

    [Fact]
    public async Task Revoke_ThenUseKey_Unauthenticated()
    {
        var created = await CliProcess.RunAsync(
            fixture.Server.Address, "keys", "create", "--name", $"cli-{Guid.NewGuid():N}", "--scope", "query", "--json");
        var response = created.ParseJson<CreateApiKeyResponse>();

        var revoke = await CliProcess.RunAsync(fixture.Server.Address, "keys", "revoke", response.ApiKey.KeyId);
        var listed = await CliProcess.RunAsync(fixture.Server.Address, "keys", "list", "--include-revoked", "--json");
        var use = await CliProcess.RunWithKeyAsync(response.Secret, "surveys", "list", "--server", fixture.Server.Address);

        Assert.Equal(0, revoke.ExitCode);
        Assert.Contains($"Revoked API key {response.ApiKey.KeyId}", revoke.Stdout);
        var revoked = listed.ParseJson<ListApiKeysResponse>().ApiKeys.Single(k => k.KeyId == response.ApiKey.KeyId);
        Assert.NotNull(revoked.RevokeTime);
        Assert.Equal(3, use.ExitCode);
        Assert.Contains("Unauthenticated", use.Stderr);
        Assert.DoesNotContain(response.Secret, use.Stderr);
    }

    [Fact]
    public async Task Command_NoKey_ExitsWithHint()
    {
        var result = await CliProcess.RunWithoutServerAsync("surveys", "list", "--server", fixture.Server.Address);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Unauthenticated", result.Stderr);
        Assert.Contains("--api-key", result.Stderr);
    }

    [Fact]
    public async Task ApiKeyOption_OverridesEnvironment()
    {
        string bogus = Storage.ApiKeys.ApiKeySecret.Generate().Key;

        var result = await CliProcess.RunWithKeyAsync(
            bogus, "surveys", "list", "--server", fixture.Server.Address, "--api-key", fixture.Server.ApiKey);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Help_KeyInEnvironment_NotPrinted()
    {
        string key = Storage.ApiKeys.ApiKeySecret.Generate().Key;

        var result = await CliProcess.RunWithKeyAsync(key, "surveys", "list", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--api-key", result.Stdout);
        Assert.DoesNotContain(key, result.Stdout);
        Assert.DoesNotContain(key, result.Stderr);
    }

    [Fact]
    public async Task Command_WrongScope_PermissionDenied()
    {
        var created = await CliProcess.RunAsync(
            fixture.Server.Address, "keys", "create", "--name", $"cli-{Guid.NewGuid():N}", "--scope", "export", "--json");
        string key = created.ParseJson<CreateApiKeyResponse>().Secret;

        var result = await CliProcess.RunWithKeyAsync(key, "keys", "list", "--server", fixture.Server.Address);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("PermissionDenied", result.Stderr);
        Assert.Contains("admin", result.Stderr);
        Assert.DoesNotContain(key, result.Stderr);
    }

    [Theory]
    [InlineData("--scope", "owner", "--scope 'owner' is not a scope")]
    [InlineData("--expires", "2020-01-01T00:00:00Z", "--expires is not in the future")]
    [InlineData("--expires", "tomorrow", "--expires 'tomorrow' is invalid")]
    [InlineData("--survey", "Not Valid", "--survey 'Not Valid' is not a survey id")]
    public async Task CreateDirect_InvalidValue_UsageError(string option, string value, string message)
    {
        string[] args = ["keys", "create", "--connection-string", fixture.Database.ConnectionString, "--name", "bad"];
        args = option == "--scope" ? [.. args, option, value] : [.. args, "--scope", "query", option, value];

        var result = await CliProcess.RunWithoutServerAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Theory]
    [InlineData("a;;=")]
    [InlineData("Host")]
    public async Task CreateDirect_MalformedConnectionString_UsageError(string connectionString)
    {
        var result = await CliProcess.RunWithoutServerAsync(
            "keys", "create", "--connection-string", connectionString, "--name", "bad", "--scope", "query");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--connection-string is invalid", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task CreateDirect_ControlCharacterName_UsageError()
    {
        var result = await CliProcess.RunWithoutServerAsync(
            "keys", "create", "--connection-string", fixture.Database.ConnectionString, "--name", "bad\u001b[2J",
            "--scope", "query");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--name must be 1 to 100 printable characters", result.Stderr);
    }

    [Fact]
    public async Task Https_CaFile_Trusted()
    {
        using var certificate = TestCertificate.Create();
        await using var server = await RunningServer.StartAsync(fixture.Database.ConnectionString, certificate.ServerSettings());

        var trusted = await CliProcess.RunAsync(server.Address, "surveys", "list", "--ca-file", certificate.PemPath);
        var untrusted = await CliProcess.RunAsync(server.Address, "surveys", "list");

        Assert.StartsWith("https://", server.Address);
        Assert.Equal(0, trusted.ExitCode);
        Assert.Equal(3, untrusted.ExitCode);
        Assert.Contains("TLS certificate was not accepted", untrusted.Stderr);
        Assert.Contains("--ca-file", untrusted.Stderr);
    }

    [Fact]
    public void ParseExpiry_Forms_Parsed()
    {
        var now = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(now.AddDays(90), Commands.KeysCommand.ParseExpiry("90d", now));
        Assert.Equal(
            new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Commands.KeysCommand.ParseExpiry("2027-01-01T01:00:00+01:00", now));
        Assert.Throws<UsageException>(() => Commands.KeysCommand.ParseExpiry("2027-01-01", now));
        Assert.Throws<UsageException>(() => Commands.KeysCommand.ParseExpiry("0d", now));
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpsGrpc.Server.Auth;
using NpsGrpc.Server.Health;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Storage.Migrations;
using NpsGrpc.Testing;

namespace NpsGrpc.IntegrationTests.Auth;

/// <summary>The warnings the server logs at start-up about development mode and a database without keys.</summary>
public sealed class StartupLogTests
{
    [Fact]
    public async Task DevelopmentMode_On_LogsWarning()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=postgres;Database=nps");
        var logger = new RecordingLogger();
        var log = new AuthStartupLog(
            new AuthOptions { DevelopmentMode = true }, new ApiKeyStore(dataSource), new DatabaseReadiness(), logger);

        await log.StartAsync(CancellationToken.None);

        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("Auth:DevelopmentMode is on", warning.Message);
    }

    [Fact]
    public async Task NoUsableKey_LogsBootstrapCommand()
    {
        await using var database = await TestDatabase.CreateAsync("nps_nokey");
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var store = new ApiKeyStore(dataSource);
        await store.CreateAsync("expired", [AccessScope.Admin], [], DateTime.UtcNow.AddDays(-1), CancellationToken.None);
        var readiness = new DatabaseReadiness();
        readiness.MarkMigrated();
        var before = new RecordingLogger();
        var after = new RecordingLogger();

        await new AuthStartupLog(new AuthOptions(), store, readiness, before).StartAsync(CancellationToken.None);
        await store.CreateAsync("admin", [AccessScope.Admin], [], null, CancellationToken.None);
        await new AuthStartupLog(new AuthOptions(), store, readiness, after).StartAsync(CancellationToken.None);

        var warning = Assert.Single(before.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("nps keys create --connection-string", warning.Message);
        Assert.DoesNotContain(after.Entries, e => e.Level == LogLevel.Warning);
    }

    private sealed class RecordingLogger : ILogger<AuthStartupLog>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}

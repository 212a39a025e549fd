using NpsGrpc.Storage.Connections;
using NpsGrpc.Testing;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>Pool and timeout settings, and the start-up checks of their values.</summary>
public sealed class DatabaseSettingsTests
{
    [Theory]
    [InlineData("Host=db;Maximum Pool Size=7;Command Timeout=9")]
    [InlineData("host=db;maxpoolsize=7;commandtimeout=9")]
    public void Apply_ConnectionStringKeyword_Wins(string connectionString)
    {
        var options = new DatabaseOptions { MaxPoolSize = 40, ConnectTimeout = TimeSpan.FromSeconds(4), CommandTimeout = TimeSpan.FromSeconds(60) };

        var applied = options.Apply(connectionString);

        Assert.Equal(7, applied.MaxPoolSize);
        Assert.Equal(9, applied.CommandTimeout);
        Assert.Equal(4, applied.Timeout);
    }

    [Fact]
    public void Apply_KeywordsMissing_SettingsUsed()
    {
        var options = new DatabaseOptions { MaxPoolSize = 5, ConnectTimeout = TimeSpan.FromSeconds(3), CommandTimeout = TimeSpan.FromSeconds(45) };

        var applied = options.Apply("Host=db;Database=nps");

        Assert.Equal(5, applied.MaxPoolSize);
        Assert.Equal(3, applied.Timeout);
        Assert.Equal(45, applied.CommandTimeout);
    }

    [Theory]
    [InlineData("Database:MaxPoolSize", "0", "Database:MaxPoolSize is 0")]
    [InlineData("Database:ConnectTimeout", "00:00:00.500", "Database:ConnectTimeout is 00:00:00.5000000")]
    [InlineData("Database:CommandTimeout", "00:00:00", "Database:CommandTimeout is 00:00:00")]
    [InlineData("Ingest:MaxConcurrentWrites", "41", "Ingest:MaxConcurrentWrites is 41")]
    [InlineData("Health:CheckInterval", "00:00:00.100", "Health:CheckInterval is 00:00:00.1000000")]
    public async Task Startup_SettingOutOfRange_Rejected(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningServer.StartAsync(
            "Host=127.0.0.1;Port=1;Username=postgres;Database=nps", new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

namespace NpsGrpc.Testing;

/// <summary>
/// One database and one server shared by the tests of a collection. Tests stay independent because each
/// creates its own survey and uses unique customer ids.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private RunningServer? _server;

    /// <summary>The database the server uses.</summary>
    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The running server.</summary>
    public RunningServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _server = await RunningServer.StartAsync(_database.ConnectionString);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

/// <summary>Collection of tests that share one <see cref="ServerFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "server";
}

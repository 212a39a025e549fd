using System.Diagnostics;
using NpsGrpc.Testing;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>
/// A PostgreSQL cluster that one test creates with scripts/pg-cluster.sh under a unique name, so the test may stop
/// and start it without touching the shared test cluster. Disposing deletes the cluster.
/// </summary>
internal sealed class PrivateCluster : IAsyncDisposable
{
    private PrivateCluster(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>Cluster name, the folder under .pgdata.</summary>
    public string Name { get; }

    /// <summary>Connection string of the cluster's 'nps' database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates and starts a cluster named <paramref name="prefix"/>-GUID.</summary>
    public static async Task<PrivateCluster> StartAsync(string prefix)
    {
        string name = $"{prefix}-{Guid.NewGuid():N}";
        try
        {
            return new PrivateCluster(name, await RunScriptAsync("start", name));
        }
        catch
        {
            await RunScriptAsync("destroy", name);
            throw;
        }
    }

    /// <summary>Creates a streaming replica of this cluster (pg_basebackup) and starts it on its own port.</summary>
    public async Task<PrivateCluster> StartReplicaAsync()
    {
        string name = $"replica-{Guid.NewGuid():N}";
        try
        {
            return new PrivateCluster(name, await RunScriptAsync("replica", name, Name));
        }
        catch
        {
            await RunScriptAsync("destroy", name);
            throw;
        }
    }

    /// <summary>Stops the cluster with pg_ctl's fast mode, which ends every session with SQLSTATE 57P01.</summary>
    public Task StopAsync() => RunScriptAsync("stop", Name);

    /// <summary>Starts the stopped cluster again; it keeps its port when the port is still free.</summary>
    public async Task RestartAsync()
    {
        string connectionString = await RunScriptAsync("start", Name);
        Assert.Equal(ConnectionString, connectionString);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await RunScriptAsync("destroy", Name);

    private static async Task<string> RunScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(TestDatabase.RepositoryRoot(), "scripts", "pg-cluster.sh"), arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"scripts/pg-cluster.sh {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await errors}");
        }

        return (await output).Trim();
    }
}

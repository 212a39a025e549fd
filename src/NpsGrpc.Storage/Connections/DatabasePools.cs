using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace NpsGrpc.Storage.Connections;

/// <summary>
/// Empties the connection pools after PostgreSQL became unreachable. Connections that sat idle in the pool during a
/// restart are dead, and Npgsql finds that out only when it next uses one. Clearing the pools on the first failure
/// means calls after the database returns open new connections instead of failing on old ones.
/// </summary>
public sealed class DatabasePools(
    NpgsqlDataSource primary, [FromKeyedServices(DataSourceKeys.ReadOnly)] NpgsqlDataSource readOnly)
{
    /// <summary>
    /// Closes the idle connections of both data sources and marks the busy ones to be closed when they are returned.
    /// </summary>
    public void Clear()
    {
        primary.Clear();
        if (!ReferenceEquals(primary, readOnly))
        {
            readOnly.Clear();
        }
    }
}

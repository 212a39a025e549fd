namespace NpsGrpc.Storage.Connections;

/// <summary>Service keys of the keyed <see cref="Npgsql.NpgsqlDataSource"/> registrations.</summary>
public static class DataSourceKeys
{
    /// <summary>
    /// The data source for read-only queries: the read replica from <c>ConnectionStrings:NpsReadOnly</c> when that is
    /// set, otherwise the primary. Writes and reads that must see a write just made use the unkeyed primary.
    /// </summary>
    public const string ReadOnly = "read-only";
}

namespace NpsGrpc.Server.Health;

/// <summary>Whether the database schema is migrated and the server may serve calls that touch the database.</summary>
public sealed class DatabaseReadiness
{
    private volatile bool _isMigrated;

    /// <summary>True once the migrations have been applied in this process.</summary>
    public bool IsMigrated => _isMigrated;

    /// <summary>Records that the migrations have been applied.</summary>
    public void MarkMigrated() => _isMigrated = true;
}

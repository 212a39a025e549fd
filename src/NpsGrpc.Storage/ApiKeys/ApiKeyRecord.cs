namespace NpsGrpc.Storage.ApiKeys;

/// <summary>
/// A stored API key. Times are UTC. A class with properties rather than a positional record, because Dapper binds
/// PostgreSQL arrays to properties but matches constructor parameters only by the column's reported type.
/// </summary>
public sealed record ApiKeyRecord
{
    /// <summary>Non-secret id, the 12 characters after "nps_" in the key.</summary>
    public string KeyId { get; init; } = "";

    /// <summary>Human-readable name.</summary>
    public string DisplayName { get; init; } = "";

    /// <summary>SHA-256 hash of the whole key.</summary>
    public byte[] KeyHash { get; init; } = [];

    /// <summary>Scope names (ingest, query, export, admin).</summary>
    public string[] Scopes { get; init; } = [];

    /// <summary>Surveys the key is limited to; empty when it is not limited.</summary>
    public string[] SurveyIds { get; init; } = [];

    /// <summary>When the key was created.</summary>
    public DateTime CreateTime { get; init; }

    /// <summary>When the key stops working, or null.</summary>
    public DateTime? ExpireTime { get; init; }

    /// <summary>When the key was revoked, or null.</summary>
    public DateTime? RevokeTime { get; init; }

    /// <summary>When a server last accepted the key, to within <see cref="ApiKeyStore.LastUsedResolution"/>, or null.</summary>
    public DateTime? LastUsedTime { get; init; }
}

/// <summary>A key just created, with the key itself, which is never stored and cannot be read back.</summary>
public sealed record CreatedApiKey(ApiKeyRecord Record, string Key);

using Dapper;
using Npgsql;

namespace NpsGrpc.Storage.ApiKeys;

/// <summary>Reads and writes API keys.</summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource)
{
    /// <summary>How stale last_used_time may become before a successful key check writes it again.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private const string Columns =
        "key_id AS KeyId, display_name AS DisplayName, key_hash AS KeyHash, scopes AS Scopes, survey_ids AS SurveyIds, " +
        "create_time AS CreateTime, expire_time AS ExpireTime, revoke_time AS RevokeTime, last_used_time AS LastUsedTime";

    // A new key id collides with a stored one with probability (stored keys) / 2^48; a second draw settles it.
    private const int MaxIdAttempts = 3;

    /// <summary>
    /// Generates and inserts a key. Returns null when a key that is not revoked already has
    /// <paramref name="displayName"/>.
    /// </summary>
    public async Task<CreatedApiKey?> CreateAsync(
        string displayName,
        IReadOnlyCollection<AccessScope> scopes,
        IReadOnlyCollection<string> surveyIds,
        DateTime? expireTime,
        CancellationToken cancellationToken)
    {
        string[] scopeNames = scopes.Distinct().Order().Select(AccessScopes.Name).ToArray();
        string[] surveys = surveyIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        for (int attempt = 1; ; attempt++)
        {
            var (keyId, key) = ApiKeySecret.Generate();
            try
            {
                var record = await connection.QuerySingleAsync<ApiKeyRecord>(new CommandDefinition(
                    $"""
                    INSERT INTO api_keys (key_id, display_name, key_hash, scopes, survey_ids, expire_time)
                    VALUES (@keyId, @displayName, @keyHash, @scopeNames, @surveys, @expireTime)
                    RETURNING {Columns}
                    """,
                    new { keyId, displayName, keyHash = ApiKeySecret.Hash(key), scopeNames, surveys, expireTime },
                    cancellationToken: cancellationToken));
                return new CreatedApiKey(record, key);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                if (exception.ConstraintName == "api_keys_active_name")
                {
                    return null;
                }

                if (attempt == MaxIdAttempts)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Returns the key, or null when there is none with that id.</summary>
    public async Task<ApiKeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE key_id = @keyId", new { keyId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Returns up to <paramref name="limit"/> keys with ids after <paramref name="afterKeyId"/>, ordered by id,
    /// leaving out revoked keys unless <paramref name="includeRevoked"/> is set.
    /// </summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(
        string? afterKeyId, int limit, bool includeRevoked, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM api_keys
            WHERE (@afterKeyId::text IS NULL OR key_id > @afterKeyId) AND (@includeRevoked OR revoke_time IS NULL)
            ORDER BY key_id
            LIMIT @limit
            """,
            new { afterKeyId, limit, includeRevoked },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Sets the key's revoke time to now unless it is already revoked, and returns the key; null when there is none
    /// with that id.
    /// </summary>
    public async Task<ApiKeyRecord?> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoke_time = now() WHERE key_id = @keyId AND revoke_time IS NULL",
            new { keyId },
            cancellationToken: cancellationToken));
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE key_id = @keyId", new { keyId }, cancellationToken: cancellationToken));
    }

    /// <summary>Returns whether any key is neither revoked nor expired.</summary>
    public async Task<bool> AnyUsableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoke_time IS NULL AND (expire_time IS NULL OR expire_time > now()))",
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records that the key was accepted, unless its last_used_time is less than <see cref="LastUsedResolution"/> old,
    /// so keys in steady use cost at most one write a minute.
    /// </summary>
    public async Task TouchAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE api_keys SET last_used_time = now()
            WHERE key_id = @keyId AND (last_used_time IS NULL OR last_used_time < now() - @resolution)
            """,
            new { keyId, resolution = LastUsedResolution },
            cancellationToken: cancellationToken));
    }
}

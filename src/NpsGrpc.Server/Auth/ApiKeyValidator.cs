using System.Collections.Concurrent;
using NpsGrpc.Storage.ApiKeys;

namespace NpsGrpc.Server.Auth;

/// <summary>
/// Checks presented API keys against the api_keys table and keeps each outcome, accepted or rejected, for
/// Auth:CacheDuration. A stream therefore checks its key on every message without a database round trip, and a key
/// revoked elsewhere stops working here within the cache duration. Entries are keyed by the SHA-256 hash of the key,
/// so the cache contains no key in clear.
/// </summary>
public sealed partial class ApiKeyValidator(
    ApiKeyStore store, AuthOptions options, TimeProvider timeProvider, ILogger<ApiKeyValidator> logger)
{
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Returns the key's details when <paramref name="key"/> is a stored key that is neither revoked nor expired, and
    /// null otherwise. Database errors propagate, so the caller sees UNAVAILABLE rather than UNAUTHENTICATED.
    /// </summary>
    public async ValueTask<CallerKey?> ValidateAsync(string key, CancellationToken cancellationToken)
    {
        if (!ApiKeySecret.TryGetKeyId(key, out string keyId))
        {
            Log.KeyRejected(logger, "it is malformed", "");
            return null;
        }

        byte[] hash = ApiKeySecret.Hash(key);
        string cacheKey = Convert.ToHexString(hash);
        var now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(cacheKey, out var cached) && cached.ValidUntil > now)
        {
            return Usable(cached.Caller, now.UtcDateTime);
        }

        var record = await store.GetAsync(keyId, cancellationToken);
        CallerKey? caller = null;
        if (record is null)
        {
            Log.KeyRejected(logger, "no key has its id", keyId);
        }
        else if (!ApiKeySecret.HashesEqual(record.KeyHash, hash))
        {
            Log.KeyRejected(logger, "its secret part does not match", keyId);
        }
        else if (record.RevokeTime is not null)
        {
            Log.KeyRejected(logger, "it is revoked", keyId);
        }
        else
        {
            caller = ToCaller(record);
            if (record.LastUsedTime is not { } lastUsed || now.UtcDateTime - lastUsed >= ApiKeyStore.LastUsedResolution)
            {
                await store.TouchAsync(keyId, cancellationToken);
            }
        }

        Remember(cacheKey, caller, now);
        return Usable(caller, now.UtcDateTime);
    }

    /// <summary>
    /// Drops every cached outcome of the key <paramref name="keyId"/>, after it was revoked on this instance.
    /// </summary>
    public void Forget(string keyId)
    {
        foreach (var entry in _cache)
        {
            if (entry.Value.Caller?.KeyId == keyId)
            {
                _cache.TryRemove(entry.Key, out _);
            }
        }
    }

    private CallerKey? Usable(CallerKey? caller, DateTime now)
    {
        if (caller?.ExpireTime is { } expireTime && expireTime <= now)
        {
            Log.KeyRejected(logger, "it has expired", caller.KeyId);
            return null;
        }

        return caller;
    }

    private void Remember(string cacheKey, CallerKey? caller, DateTimeOffset now)
    {
        if (options.CacheDuration <= TimeSpan.Zero)
        {
            return;
        }

        if (_cache.Count >= options.MaxCachedKeys)
        {
            foreach (var entry in _cache.Where(e => e.Value.ValidUntil <= now))
            {
                _cache.TryRemove(entry.Key, out _);
            }

            if (_cache.Count >= options.MaxCachedKeys)
            {
                return;
            }
        }

        _cache[cacheKey] = new CacheEntry(caller, now + options.CacheDuration);
    }

    private static CallerKey ToCaller(ApiKeyRecord record)
    {
        var scopes = new HashSet<AccessScope>();
        foreach (string name in record.Scopes)
        {
            // A scope name written by a newer server version grants nothing here.
            if (AccessScopes.TryParse(name, out var scope))
            {
                scopes.Add(scope);
            }
        }

        var expireTime = record.ExpireTime is { } expire ? DateTime.SpecifyKind(expire, DateTimeKind.Utc) : (DateTime?)null;
        var surveyIds = new HashSet<string>(record.SurveyIds, StringComparer.Ordinal);
        return new CallerKey(record.KeyId, scopes, surveyIds, expireTime);
    }

    private sealed record CacheEntry(CallerKey? Caller, DateTimeOffset ValidUntil);

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 80, Level = LogLevel.Debug, Message = "Rejected an API key because {Reason}; key id '{KeyId}'")]
        public static partial void KeyRejected(ILogger logger, string reason, string keyId);
    }
}

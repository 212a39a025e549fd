namespace NpsGrpc.Server.Auth;

/// <summary>Settings of the Auth configuration section.</summary>
public sealed class AuthOptions
{
    /// <summary>
    /// Turns every key check off, so any caller may call every RPC. Default false. Meant for a server on a developer's
    /// machine only; the server logs a warning at start-up while it is on.
    /// </summary>
    public bool DevelopmentMode { get; set; }

    /// <summary>Whether grpc.health.v1.Health serves calls without a key. Default true.</summary>
    public bool AllowAnonymousHealth { get; set; } = true;

    /// <summary>Whether server reflection serves calls without a key. Default true.</summary>
    public bool AllowAnonymousReflection { get; set; } = true;

    /// <summary>
    /// How long the outcome of a key check is reused without reading the database: also how long a key revoked on
    /// another instance, or directly in the database, may still be accepted here. Default 30 seconds; zero checks
    /// every call and every stream message against the database.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most key check outcomes kept in memory. Default 10000. When the cache is full, outcomes that have not expired
    /// are not replaced, and new keys are checked against the database on every call until entries expire.
    /// </summary>
    public int MaxCachedKeys { get; set; } = 10_000;

    /// <summary>Throws when a setting is out of range, naming the setting and its value.</summary>
    public void Validate()
    {
        if (CacheDuration < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Auth:CacheDuration is {CacheDuration}; it must be zero or positive.");
        }

        if (MaxCachedKeys < 0)
        {
            throw new InvalidOperationException($"Auth:MaxCachedKeys is {MaxCachedKeys}; it must be zero or positive.");
        }
    }
}

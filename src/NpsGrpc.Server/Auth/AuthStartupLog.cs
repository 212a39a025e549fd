using Npgsql;
using NpsGrpc.Server.Health;
using NpsGrpc.Storage.ApiKeys;

namespace NpsGrpc.Server.Auth;

/// <summary>
/// Logs at start-up how calls are authenticated: a warning while development mode is on, and a warning with the
/// bootstrap command when the database has no usable key. Runs after the migrations, which start-up applies first.
/// </summary>
public sealed partial class AuthStartupLog(
    AuthOptions options, ApiKeyStore store, DatabaseReadiness readiness, ILogger<AuthStartupLog> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.DevelopmentMode)
        {
            Log.DevelopmentMode(logger);
            return;
        }

        Log.KeysRequired(logger, options.CacheDuration, options.AllowAnonymousHealth, options.AllowAnonymousReflection);
        if (!readiness.IsMigrated)
        {
            return;
        }

        try
        {
            if (!await store.AnyUsableAsync(cancellationToken))
            {
                Log.NoUsableKey(logger);
            }
        }
        catch (NpgsqlException exception)
        {
            Log.KeyCountFailed(logger, exception);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 83, Level = LogLevel.Warning,
            Message = "Auth:DevelopmentMode is on: every RPC is served without an API key. Never use it on a server " +
                "that other machines can reach")]
        public static partial void DevelopmentMode(ILogger logger);

        [LoggerMessage(EventId = 84, Level = LogLevel.Information,
            Message = "Every RPC requires an API key (checks cached for {CacheDuration}); health without a key: " +
                "{AnonymousHealth}, reflection without a key: {AnonymousReflection}")]
        public static partial void KeysRequired(
            ILogger logger, TimeSpan cacheDuration, bool anonymousHealth, bool anonymousReflection);

        [LoggerMessage(EventId = 85, Level = LogLevel.Warning,
            Message = "The database has no API key that is neither revoked nor expired, so every call will be rejected. " +
                "Create a first key with: nps keys create --connection-string CONNECTION_STRING --name admin " +
                "--scope admin --scope ingest --scope query --scope export (admin manages keys only; add the other " +
                "scopes the key needs)")]
        public static partial void NoUsableKey(ILogger logger);

        [LoggerMessage(EventId = 86, Level = LogLevel.Warning, Message = "Could not check whether the database has API keys")]
        public static partial void KeyCountFailed(ILogger logger, Exception exception);
    }
}

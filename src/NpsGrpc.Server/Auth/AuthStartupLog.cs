namespace NpsGrpc.Server.Auth;

/// <summary>Logs at start-up how calls are authenticated, with a warning while development mode is on.</summary>
public sealed partial class AuthStartupLog(AuthOptions options, ILogger<AuthStartupLog> logger) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.DevelopmentMode)
        {
            Log.DevelopmentMode(logger);
        }
        else
        {
            Log.KeysRequired(logger, options.CacheDuration, options.AllowAnonymousHealth, options.AllowAnonymousReflection);
        }

        return Task.CompletedTask;
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
        public static partial void KeysRequired(ILogger logger, TimeSpan cacheDuration, bool anonymousHealth, bool anonymousReflection);
    }
}

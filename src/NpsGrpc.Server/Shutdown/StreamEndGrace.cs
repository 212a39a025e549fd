namespace NpsGrpc.Server.Shutdown;

/// <summary>
/// Holds the shutdown until the streams ended by <see cref="ServerDrain"/> are gone, then, when it ended any, for
/// <see cref="ShutdownOptions.StreamEndGrace"/> more, before Kestrel closes the connections. A client that is still
/// sending on a stream when the server ends it leaves unread data on the connection. Closing a socket with unread data
/// makes the kernel send a TCP reset, which can discard the UNAVAILABLE status before the client reads it (the client
/// then reports INTERNAL). During the grace the server keeps reading, the client sees the status and stops sending,
/// and Kestrel's close is clean.
/// </summary>
/// <remarks>
/// The wait runs in <see cref="StoppingAsync"/>, which the host calls for every lifecycle service before it stops any
/// hosted service. A wait in <see cref="StopAsync"/> would come too late: a web application registers Kestrel's hosted
/// service after the application's own, so Kestrel stops first. The wait ends early when the host's shutdown timeout
/// (<c>Shutdown:DrainTimeout</c>) runs out.
/// </remarks>
public sealed partial class StreamEndGrace(ServerDrain drain, ShutdownOptions options, ILogger<StreamEndGrace> logger) : IHostedLifecycleService
{
    /// <inheritdoc />
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // On a host stop, ApplicationStopping comes only after this method, so the streams are stopped here. A callback
        // that throws must not cost the other streams their grace.
        try
        {
            await drain.BeginStoppingAsync();
        }
        catch (Exception exception)
        {
            LogStopCallbackFailed(logger, exception);
        }

        await drain.WaitForStreamsAsync(cancellationToken);
        if (!drain.HasEndedStreams)
        {
            return;
        }

        try
        {
            await Task.Delay(options.StreamEndGrace, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout ran out; Kestrel aborts what is left.
        }
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A stop callback failed while the server began to drain its streams")]
    private static partial void LogStopCallbackFailed(ILogger logger, Exception exception);
}

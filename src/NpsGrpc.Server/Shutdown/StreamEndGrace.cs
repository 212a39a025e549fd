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
/// Hosted services stop in the reverse order of registration, and Kestrel's is registered first, so this service stops
/// before Kestrel does. The wait ends early when the host's shutdown timeout (<c>Shutdown:DrainTimeout</c>) runs out.
/// </remarks>
public sealed class StreamEndGrace(ServerDrain drain, ShutdownOptions options) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
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
}

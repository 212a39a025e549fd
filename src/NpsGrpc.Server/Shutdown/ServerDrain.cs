using System.Runtime.CompilerServices;
using Grpc.Core;

namespace NpsGrpc.Server.Shutdown;

/// <summary>
/// Ends streaming calls cleanly when the server stops. Once the server is stopping, a stream finishes the message in
/// hand (a batch is committed and acknowledged), reads no further message and ends with UNAVAILABLE and a message on
/// how the client resumes. New calls are rejected by <see cref="DrainInterceptor"/>.
/// </summary>
public sealed partial class ServerDrain(IHostApplicationLifetime lifetime, ILogger<ServerDrain> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    // Never disposed, because handlers that outlive the host's stop still read the token. Without a timer or a wait
    // handle, the source keeps nothing that the garbage collector does not free.
    private readonly CancellationTokenSource _stopping = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
    private int _openStreams;
    private int _endedStreams;

    /// <summary>
    /// Cancelled when the server starts to stop: by <see cref="BeginStoppingAsync"/>, or when the application stops
    /// (SIGTERM, Ctrl+C or a host stop), whichever comes first.
    /// </summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Cancels <see cref="Stopping"/>, so streams end and new calls are rejected before the host stops any service.</summary>
    public Task BeginStoppingAsync() => _stopping.CancelAsync();

    /// <summary>Whether a stream was ended with UNAVAILABLE because the server is stopping.</summary>
    public bool HasEndedStreams => Volatile.Read(ref _endedStreams) > 0;

    /// <summary>Counts a streaming call as open until the returned value is disposed.</summary>
    public IDisposable TrackStream()
    {
        Interlocked.Increment(ref _openStreams);
        return new StreamTracker(this);
    }

    /// <summary>Waits until no tracked stream is open, or until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task WaitForStreamsAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _openStreams) > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(PollInterval, CancellationToken.None);
        }
    }

    /// <summary>
    /// Reads the messages of <paramref name="requestStream"/> until the client completes it. When the server starts
    /// to stop, the next read (or the one waiting) throws UNAVAILABLE with <paramref name="resumeAdvice"/>. The caller
    /// handles each yielded message in full before it requests the next one, so the message in hand is never cut short.
    /// </summary>
    public async IAsyncEnumerable<T> ReadUntilStoppingAsync<T>(
        IAsyncStreamReader<T> requestStream, ServerCallContext context, string resumeAdvice,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var tracked = TrackStream();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, Stopping, cancellationToken);
        while (true)
        {
            if (Stopping.IsCancellationRequested)
            {
                throw StreamEnded(context, resumeAdvice);
            }

            bool hasMessage;
            try
            {
                hasMessage = await requestStream.MoveNext(linked.Token);
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                throw StreamEnded(context, resumeAdvice);
            }

            if (!hasMessage)
            {
                yield break;
            }

            yield return requestStream.Current;
        }
    }

    /// <summary>Returns the UNAVAILABLE status that ends an open stream because the server is stopping, and logs it.</summary>
    public RpcException StreamEnded(ServerCallContext context, string resumeAdvice)
    {
        Interlocked.Increment(ref _endedStreams);
        Log.StreamEnded(logger, context.Method);
        return new RpcException(new Status(StatusCode.Unavailable, $"The server is shutting down. {resumeAdvice}"));
    }

    private sealed class StreamTracker(ServerDrain drain) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref drain._openStreams);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 801, Level = LogLevel.Information,
            Message = "Ended call {Method} with UNAVAILABLE because the server is shutting down")]
        public static partial void StreamEnded(ILogger logger, string method);
    }
}

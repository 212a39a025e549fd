using Grpc.Core;
using Grpc.Core.Interceptors;

namespace NpsGrpc.Server.Shutdown;

/// <summary>
/// Rejects calls that arrive after the server started to stop with UNAVAILABLE, so a client retries them elsewhere
/// instead of starting work that the shutdown would cut off. Kestrel stops accepting connections a moment later.
/// </summary>
public sealed class DrainInterceptor(ServerDrain drain) : Interceptor
{
    private const string Message =
        "The server is shutting down and accepts no new calls. Retry the call; it is answered by another instance or by this " +
        "one after its restart.";

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        RejectWhenStopping();
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        RejectWhenStopping();
        return continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        RejectWhenStopping();
        return continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        RejectWhenStopping();
        return continuation(requestStream, responseStream, context);
    }

    private void RejectWhenStopping()
    {
        if (drain.Stopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, Message));
        }
    }
}

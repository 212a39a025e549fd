using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Npgsql;
using NpsGrpc.Storage.Connections;

namespace NpsGrpc.Server.Errors;

/// <summary>
/// Turns exceptions that escape a service method into gRPC statuses: UNAVAILABLE when the database cannot be
/// reached (the client may retry), CANCELLED when the client went away, INTERNAL with an error id otherwise.
/// A client never sees UNKNOWN, a stack trace or SQL text. An unreachable database also empties the connection pools,
/// so the client's retry after the database returns opens a new connection rather than reusing a dead one.
/// </summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger, DatabasePools pools, OutageLogLimiter outageLog)
    : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw Translate(exception, context);
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw Translate(exception, context);
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw Translate(exception, context);
        }
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw Translate(exception, context);
        }
    }

    private RpcException Translate(Exception exception, ServerCallContext context)
    {
        // A client that resets its stream surfaces as an IOException from the request reader, sometimes before the
        // call's cancellation token is set. Either way the client is gone, and the status only reaches the log.
        if ((exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            || exception is IOException)
        {
            Log.CallCancelled(logger, context.Method);
            return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled by the client or its deadline passed."));
        }

        if (exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
        {
            Log.DatabaseUnavailable(logger, exception, context.Method);
            return new RpcException(new Status(
                StatusCode.Aborted, "The batch collided with concurrent writes several times. Resend it; it is safe to retry."));
        }

        if (exception is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled })
        {
            Log.DatabaseUnavailable(logger, exception, context.Method);
            return new RpcException(new Status(
                StatusCode.DeadlineExceeded, "The database cancelled the statement because it ran too long."));
        }

        if (IsDatabaseUnavailable(exception))
        {
            if (outageLog.TryEnter(out int skipped))
            {
                Log.CallsFailedOnOutage(logger, exception, context.Method, skipped, OutageLogLimiter.Interval);
            }

            pools.Clear();
            return new RpcException(new Status(
                StatusCode.Unavailable, "The database is unavailable. Retry with backoff; unacknowledged batches may be resent safely."));
        }

        string errorId = Guid.NewGuid().ToString("N")[..12];
        Log.UnexpectedError(logger, exception, context.Method, errorId);
        return new RpcException(new Status(
            StatusCode.Internal, $"An internal error occurred (error id {errorId}); the server log has the details."));
    }

    private static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState is
            PostgresErrorCodes.AdminShutdown or
            PostgresErrorCodes.CrashShutdown or
            PostgresErrorCodes.CannotConnectNow or
            PostgresErrorCodes.TooManyConnections or
            PostgresErrorCodes.UndefinedTable or
            PostgresErrorCodes.ReadOnlySqlTransaction
            || postgres.IsTransient
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("53", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        TimeoutException or SocketException => true,
        _ => false,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Call {Method} was cancelled by the client")]
        public static partial void CallCancelled(ILogger logger, string method);

        [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Call {Method} failed because the database is unavailable")]
        public static partial void DatabaseUnavailable(ILogger logger, Exception exception, string method);

        [LoggerMessage(EventId = 23, Level = LogLevel.Warning,
            Message = "Call {Method} failed because the database is unavailable. Since the previous entry like this, " +
                "{SkippedCount} calls failed the same way and were not logged (one is logged every {Interval} at most)")]
        public static partial void CallsFailedOnOutage(
            ILogger logger, Exception exception, string method, int skippedCount, TimeSpan interval);

        [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "Call {Method} failed with an unexpected error; error id {ErrorId}")]
        public static partial void UnexpectedError(ILogger logger, Exception exception, string method, string errorId);
    }
}

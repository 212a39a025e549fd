using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace NpsGrpc.Server.Auth;

/// <summary>
/// Checks the API key of every call. The "authorization: Bearer &lt;key&gt;" metadata must name a stored key that is
/// neither revoked nor expired, else the call fails with UNAUTHENTICATED and one message for every cause. The key
/// needs a scope the RPC accepts, else PERMISSION_DENIED names the scopes. A key limited to surveys may send only
/// requests that name those surveys, else PERMISSION_DENIED. Client streams check the key and the surveys again on
/// every request message, and server streams check the key before every response message, through the key cache.
/// Auth:DevelopmentMode turns all of it off, and health and reflection are open unless configured otherwise.
/// </summary>
public sealed class ApiKeyInterceptor(ApiKeyValidator validator, RpcPolicies policies, AuthOptions options) : Interceptor
{
    /// <summary>The message of every UNAUTHENTICATED status, so a caller cannot tell which keys exist.</summary>
    public const string UnauthenticatedMessage =
        "The call has no valid API key. Send 'authorization: Bearer <key>' metadata with a key that is not revoked " +
        "or expired; an administrator creates keys with 'nps keys create'.";

    private const string HealthPrefix = "/grpc.health.v1.Health/";
    private const string ReflectionPrefix = "/grpc.reflection.";

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (await AuthorizeCallAsync(context) is { } check)
        {
            check.CheckRequest(request);
        }

        return await continuation(request, context);
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var check = await AuthorizeCallAsync(context);
        if (check is null)
        {
            await continuation(request, responseStream, context);
            return;
        }

        check.CheckRequest(request);
        await continuation(request, new CheckedStreamWriter<TResponse>(responseStream, check), context);
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var check = await AuthorizeCallAsync(context);
        var reader = check is null ? requestStream : new CheckedStreamReader<TRequest>(requestStream, check);
        return await continuation(reader, context);
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var check = await AuthorizeCallAsync(context);
        var reader = check is null ? requestStream : new CheckedStreamReader<TRequest>(requestStream, check);
        await continuation(reader, responseStream, context);
    }

    /// <summary>
    /// Checks the call's key and scope. Returns the check to apply to each request message, or null when the call
    /// needs no further checks (development mode, open health and reflection).
    /// </summary>
    private async Task<CallCheck?> AuthorizeCallAsync(ServerCallContext context)
    {
        if (options.DevelopmentMode)
        {
            return null;
        }

        string method = context.Method;
        bool isHealth = method.StartsWith(HealthPrefix, StringComparison.Ordinal);
        bool isReflection = method.StartsWith(ReflectionPrefix, StringComparison.Ordinal);
        if ((isHealth && options.AllowAnonymousHealth) || (isReflection && options.AllowAnonymousReflection))
        {
            return null;
        }

        string? key = ReadBearerKey(context.RequestHeaders);
        var caller = key is null ? null : await validator.ValidateAsync(key, context.CancellationToken);
        if (caller is null)
        {
            throw Unauthenticated();
        }

        if (isHealth || isReflection)
        {
            // Any valid key may check health and read the API description.
            return null;
        }

        // An RPC without an entry fails closed. RpcPolicies checks at start-up that every nps.v1 RPC has one.
        var policy = policies.Find(method) ?? throw new RpcException(new Status(
            StatusCode.PermissionDenied, $"No API key scope allows {method}."));
        var check = new CallCheck(validator, policy, key!, context);
        check.CheckScope(caller);
        return check;
    }

    /// <summary>Returns the key of "Bearer &lt;key&gt;" (scheme case-insensitive), or null for any other value.</summary>
    private static string? ReadBearerKey(Metadata headers)
    {
        string? value = headers.GetValue("authorization");
        const string Scheme = "Bearer ";
        if (value is null || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string key = value[Scheme.Length..].Trim();
        return key.Length == 0 ? null : key;
    }

    private static RpcException Unauthenticated() =>
        new(new Status(StatusCode.Unauthenticated, UnauthenticatedMessage));

    /// <summary>The checks of one call that are repeated for every request message.</summary>
    private sealed class CallCheck(ApiKeyValidator validator, RpcPolicy policy, string key, ServerCallContext context)
    {
        private CallerKey? _caller;

        /// <summary>Throws PERMISSION_DENIED unless <paramref name="caller"/> has a scope the RPC accepts.</summary>
        public void CheckScope(CallerKey caller)
        {
            if (!policy.Scopes.Any(caller.Scopes.Contains))
            {
                throw new RpcException(new Status(
                    StatusCode.PermissionDenied,
                    $"{policy.Method} requires an API key with the scope {policy.ScopeText}; " +
                    $"key '{caller.KeyId}' does not have it."));
            }

            _caller = caller;
        }

        /// <summary>Throws PERMISSION_DENIED when a survey-limited key sends a request outside its surveys.</summary>
        public void CheckRequest(object request)
        {
            var caller = _caller!;
            if (!caller.IsSurveyLimited)
            {
                return;
            }

            var named = policy.NamedSurveys((IMessage)request);
            if (named.Count == 0)
            {
                throw new RpcException(new Status(
                    StatusCode.PermissionDenied,
                    $"Key '{caller.KeyId}' is limited to surveys, and this {policy.Method} request does not name its " +
                    "surveys; use a key that is not limited to surveys."));
            }

            if (named.FirstOrDefault(id => !caller.SurveyIds.Contains(id)) is { } outside)
            {
                throw new RpcException(new Status(
                    StatusCode.PermissionDenied, $"Key '{caller.KeyId}' is not allowed to access survey '{outside}'."));
            }
        }

        /// <summary>
        /// Checks the key again, through the cache, and the surveys of one stream message. A key revoked or expired
        /// since the stream started ends the stream with UNAUTHENTICATED.
        /// </summary>
        public async Task CheckMessageAsync(object request)
        {
            await CheckKeyAgainAsync();
            CheckRequest(request);
        }

        /// <summary>
        /// Checks the key again, through the cache, before a server stream sends a message, so a subscription ends
        /// once its key is revoked or expired.
        /// </summary>
        public async Task CheckKeyAgainAsync()
        {
            var caller = await validator.ValidateAsync(key, context.CancellationToken) ?? throw Unauthenticated();
            CheckScope(caller);
        }
    }

    /// <summary>A response stream that checks the key again before every message it sends.</summary>
    private sealed class CheckedStreamWriter<T>(IServerStreamWriter<T> inner, CallCheck check) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public async Task WriteAsync(T message)
        {
            await check.CheckKeyAgainAsync();
            await inner.WriteAsync(message);
        }

        // The interface's default implementation of this overload rejects a cancellable token.
        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await check.CheckKeyAgainAsync();
            await inner.WriteAsync(message, cancellationToken);
        }
    }

    /// <summary>A request stream that checks every message before the service reads it.</summary>
    private sealed class CheckedStreamReader<T>(IAsyncStreamReader<T> inner, CallCheck check) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken))
            {
                return false;
            }

            await check.CheckMessageAsync(inner.Current!);
            return true;
        }
    }
}

using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Server.Auth;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC management of API keys. The interceptor admits only keys with the admin scope.</summary>
public sealed partial class ApiKeyGrpcService(
    ApiKeyStore store, ApiKeyValidator validator, TimeProvider timeProvider, ILogger<ApiKeyGrpcService> logger)
    : ApiKeyService.ApiKeyServiceBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 1000;

    /// <inheritdoc />
    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var key = ApiKeyRequestValidator.Check(request.ApiKey, timeProvider.GetUtcNow().UtcDateTime);
        var created = await store.CreateAsync(
                key.DisplayName, key.Scopes, key.SurveyIds, key.ExpireTime, context.CancellationToken)
            ?? throw new RpcException(new Status(
                StatusCode.AlreadyExists,
                $"An API key named '{key.DisplayName}' already exists and is not revoked; " +
                "choose another name or revoke it first."));
        Log.KeyCreated(logger, created.Record.KeyId, created.Record.DisplayName, string.Join(",", created.Record.Scopes));
        return new CreateApiKeyResponse { ApiKey = ToMessage(created.Record), Secret = created.Key };
    }

    /// <inheritdoc />
    public override async Task<GetApiKeyResponse> GetApiKey(GetApiKeyRequest request, ServerCallContext context)
    {
        CheckKeyId(request.KeyId);
        var record = await store.GetAsync(request.KeyId, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"API key '{request.KeyId}' does not exist.");
        return new GetApiKeyResponse { ApiKey = ToMessage(record) };
    }

    /// <inheritdoc />
    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            throw RpcErrors.InvalidArgument(
                "page_size", $"page_size {request.PageSize} is negative; use 0 for the default of {DefaultPageSize}");
        }

        int pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        string? after = PageToken.Decode(request.PageToken);

        // Reading one row more than the page size shows whether another page follows.
        var rows = await store.ListAsync(after, pageSize + 1, request.IncludeRevoked, context.CancellationToken);
        var response = new ListApiKeysResponse();
        response.ApiKeys.AddRange(rows.Take(pageSize).Select(ToMessage));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(rows[pageSize - 1].KeyId);
        }

        return response;
    }

    /// <inheritdoc />
    public override async Task<RevokeApiKeyResponse> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
    {
        CheckKeyId(request.KeyId);
        var record = await store.RevokeAsync(request.KeyId, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"API key '{request.KeyId}' does not exist.");
        validator.Forget(record.KeyId);
        Log.KeyRevoked(logger, record.KeyId, record.DisplayName);
        return new RevokeApiKeyResponse { ApiKey = ToMessage(record) };
    }

    /// <summary>Converts a stored key to its API message, without the hash.</summary>
    public static ApiKey ToMessage(ApiKeyRecord record)
    {
        var message = new ApiKey
        {
            KeyId = record.KeyId,
            DisplayName = record.DisplayName,
            CreateTime = ToTimestamp(record.CreateTime),
            ExpireTime = ToTimestampOrNull(record.ExpireTime),
            RevokeTime = ToTimestampOrNull(record.RevokeTime),
            LastUsedTime = ToTimestampOrNull(record.LastUsedTime),
        };
        foreach (string name in record.Scopes)
        {
            if (AccessScopes.TryParse(name, out var scope))
            {
                message.Scopes.Add(ApiKeyRequestValidator.ToMessage(scope));
            }
        }

        message.SurveyIds.AddRange(record.SurveyIds);
        return message;
    }

    private static void CheckKeyId(string keyId)
    {
        if (keyId.StartsWith(ApiKeySecret.Prefix, StringComparison.Ordinal))
        {
            // Never echo what may be a whole key.
            throw RpcErrors.InvalidArgument(
                "key_id", $"key_id starts with '{ApiKeySecret.Prefix}' like a whole API key; pass only the key id, the " +
                $"{ApiKeySecret.KeyIdLength} characters after '{ApiKeySecret.Prefix}'");
        }

        if (!ApiKeySecret.IsKeyId(keyId))
        {
            string shown = keyId.Length > 64 ? keyId[..64] + "..." : keyId;
            throw RpcErrors.InvalidArgument(
                "key_id",
                $"key_id '{shown}' is invalid; a key id is {ApiKeySecret.KeyIdLength} lowercase hexadecimal characters");
        }
    }

    private static Timestamp ToTimestamp(DateTime time) =>
        Timestamp.FromDateTime(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static Timestamp? ToTimestampOrNull(DateTime? time) => time is { } value ? ToTimestamp(value) : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 81, Level = LogLevel.Information,
            Message = "Created API key '{KeyId}' named '{DisplayName}' with scopes {Scopes}")]
        public static partial void KeyCreated(ILogger logger, string keyId, string displayName, string scopes);

        [LoggerMessage(EventId = 82, Level = LogLevel.Information, Message = "Revoked API key '{KeyId}' named '{DisplayName}'")]
        public static partial void KeyRevoked(ILogger logger, string keyId, string displayName);
    }
}

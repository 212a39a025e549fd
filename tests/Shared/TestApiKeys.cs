using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Storage.Migrations;

namespace NpsGrpc.Testing;

/// <summary>API keys and keyed channels for tests.</summary>
public static class TestApiKeys
{
    /// <summary>
    /// Applies the migrations to <paramref name="connectionString"/> and stores a key with every scope, for a server
    /// started as a separate process.
    /// </summary>
    public static async Task<string> CreateInDatabaseAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        return await CreateAsync(new ApiKeyStore(dataSource), AccessScopes.All);
    }

    /// <summary>Stores a key with <paramref name="scopes"/> and an unused name, and returns the key.</summary>
    public static async Task<string> CreateAsync(
        ApiKeyStore store,
        IReadOnlyCollection<AccessScope> scopes,
        IReadOnlyCollection<string>? surveyIds = null,
        DateTime? expireTime = null)
    {
        var created = await store.CreateAsync(
            $"test-{Guid.NewGuid():N}", scopes, surveyIds ?? [], expireTime, CancellationToken.None);
        return created!.Key;
    }

    /// <summary>
    /// Opens a channel to <paramref name="address"/> that sends <paramref name="apiKey"/> (none when null) on every
    /// call, through <paramref name="handler"/> when given.
    /// </summary>
    public static GrpcChannel OpenChannel(string address, string? apiKey, HttpMessageHandler? handler = null)
    {
        handler ??= new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (apiKey is not null)
        {
            handler = new AuthorizationHandler("Bearer " + apiKey) { InnerHandler = handler };
        }

        return GrpcChannel.ForAddress(
            address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024, HttpHandler = handler });
    }

    /// <summary>Opens a channel that sends <paramref name="authorization"/> verbatim as the authorization metadata.</summary>
    public static GrpcChannel OpenChannelWithHeader(string address, string authorization) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new AuthorizationHandler(authorization) { InnerHandler = new SocketsHttpHandler() },
        });

    /// <summary>Adds an authorization header to every request; gRPC reads HTTP/2 headers as call metadata.</summary>
    private sealed class AuthorizationHandler(string value) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("authorization", value);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

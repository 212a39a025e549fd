using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Testing;

namespace NpsGrpc.IntegrationTests.Auth;

/// <summary>Keys and channels for the authentication tests.</summary>
internal static class AuthKit
{
    /// <summary>The store of <paramref name="server"/>, for keys made without the API.</summary>
    public static ApiKeyStore Store(RunningServer server) => server.Services.GetRequiredService<ApiKeyStore>();

    /// <summary>Stores a key on <paramref name="server"/>'s database and opens a channel that sends it.</summary>
    public static async Task<(string Key, GrpcChannel Channel)> ChannelWithKeyAsync(
        RunningServer server, AccessScope[] scopes, string[]? surveyIds = null, DateTime? expireTime = null)
    {
        string key = await TestApiKeys.CreateAsync(Store(server), scopes, surveyIds, expireTime);
        return (key, TestApiKeys.OpenChannel(server.Address, key));
    }

    /// <summary>Runs <paramref name="call"/> and returns its status: OK when it succeeds.</summary>
    public static async Task<Status> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return Status.DefaultSuccess;
        }
        catch (RpcException exception)
        {
            return exception.Status;
        }
    }

    /// <summary>Key id of <paramref name="key"/>.</summary>
    public static string KeyIdOf(string key)
    {
        Assert.True(ApiKeySecret.TryGetKeyId(key, out string keyId));
        return keyId;
    }
}

using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using NpsGrpc.Server.Auth;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Auth;

/// <summary>Missing, malformed, unknown, revoked and expired keys, and the open health and reflection services.</summary>
[Collection(ServerCollection.Name)]
public sealed class KeyCheckTests(ServerFixture fixture)
{
    [Fact]
    public async Task Call_NoKey_Unauthenticated()
    {
        using var channel = TestApiKeys.OpenChannel(fixture.Server.Address, apiKey: null);

        var status = await ListSurveysStatusAsync(channel);

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Equal(ApiKeyInterceptor.UnauthenticatedMessage, status.Detail);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer not-a-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer nps_0123456789ab_short")]
    [InlineData("Bearer nps_0123456789AB_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Call_MalformedHeader_Unauthenticated(string authorization)
    {
        using var channel = TestApiKeys.OpenChannelWithHeader(fixture.Server.Address, authorization);

        var status = await ListSurveysStatusAsync(channel);

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Equal(ApiKeyInterceptor.UnauthenticatedMessage, status.Detail);
    }

    [Fact]
    public async Task Call_UnknownKey_Unauthenticated()
    {
        string key = ApiKeySecret.Generate().Key;
        using var channel = TestApiKeys.OpenChannel(fixture.Server.Address, key);

        var status = await ListSurveysStatusAsync(channel);

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Equal(ApiKeyInterceptor.UnauthenticatedMessage, status.Detail);
        Assert.DoesNotContain(key, status.Detail);
    }

    [Fact]
    public async Task Call_WrongSecretPart_Unauthenticated()
    {
        string key = await TestApiKeys.CreateAsync(AuthKit.Store(fixture.Server), AccessScopes.All);
        string forged = key[..^5] + (key[^5] == 'A' ? "BBBBB" : "AAAAA");
        using var channel = TestApiKeys.OpenChannel(fixture.Server.Address, forged);

        var status = await ListSurveysStatusAsync(channel);

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Equal(ApiKeyInterceptor.UnauthenticatedMessage, status.Detail);
    }

    [Fact]
    public async Task Call_ExpiredKey_Unauthenticated()
    {
        var (_, channel) = await AuthKit.ChannelWithKeyAsync(
            fixture.Server, [AccessScope.Query], expireTime: DateTime.UtcNow.AddHours(-1));
        using (channel)
        {
            var status = await ListSurveysStatusAsync(channel);

            Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
            Assert.Equal(ApiKeyInterceptor.UnauthenticatedMessage, status.Detail);
        }
    }

    [Fact]
    public async Task Call_KeyExpiringLater_Accepted()
    {
        var (_, channel) = await AuthKit.ChannelWithKeyAsync(
            fixture.Server, [AccessScope.Query], expireTime: DateTime.UtcNow.AddDays(1));
        using (channel)
        {
            var status = await ListSurveysStatusAsync(channel);

            Assert.Equal(StatusCode.OK, status.StatusCode);
        }
    }

    [Fact]
    public async Task Call_RevokedThroughApi_UnauthenticatedAtOnce()
    {
        var (key, channel) = await AuthKit.ChannelWithKeyAsync(fixture.Server, [AccessScope.Query]);
        using (channel)
        {
            Assert.Equal(StatusCode.OK, (await ListSurveysStatusAsync(channel)).StatusCode);

            var keys = new ApiKeyService.ApiKeyServiceClient(fixture.Server.Channel);
            await keys.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = AuthKit.KeyIdOf(key) });
            var status = await ListSurveysStatusAsync(channel);

            Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
            Assert.Equal(ApiKeyInterceptor.UnauthenticatedMessage, status.Detail);
        }
    }

    [Fact]
    public async Task Call_LowercaseBearerScheme_Accepted()
    {
        using var channel = TestApiKeys.OpenChannelWithHeader(fixture.Server.Address, "bearer " + fixture.Server.ApiKey);

        var status = await ListSurveysStatusAsync(channel);

        Assert.Equal(StatusCode.OK, status.StatusCode);
    }

    [Fact]
    public async Task Call_Accepted_RecordsLastUsedTime()
    {
        var (key, channel) = await AuthKit.ChannelWithKeyAsync(fixture.Server, [AccessScope.Query]);
        using (channel)
        {
            await ListSurveysStatusAsync(channel);

            var stored = await AuthKit.Store(fixture.Server).GetAsync(AuthKit.KeyIdOf(key), CancellationToken.None);
            Assert.NotNull(stored!.LastUsedTime);
        }
    }

    [Fact]
    public async Task Health_NoKey_Serving()
    {
        using var channel = TestApiKeys.OpenChannel(fixture.Server.Address, apiKey: null);

        var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Reflection_NoKey_ListsServices()
    {
        using var channel = TestApiKeys.OpenChannel(fixture.Server.Address, apiKey: null);
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("nps.v1.ApiKeyService", names);
    }

    [Fact]
    public async Task HealthAndReflection_Closed_NeedKey()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Auth:AllowAnonymousHealth"] = "false",
                ["Auth:AllowAnonymousReflection"] = "false",
            });
        using var anonymous = TestApiKeys.OpenChannel(server.Address, apiKey: null);

        var healthStatus = await AuthKit.StatusOfAsync(
            async () => await new Health.HealthClient(anonymous).CheckAsync(new HealthCheckRequest()));
        var reflectionStatus = await AuthKit.StatusOfAsync(async () =>
        {
            using var call = new ServerReflection.ServerReflectionClient(anonymous).ServerReflectionInfo();
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            await call.RequestStream.CompleteAsync();
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        var withKey = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(StatusCode.Unauthenticated, healthStatus.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, reflectionStatus.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, withKey.Status);
    }

    [Fact]
    public async Task DevelopmentMode_NoKey_Served()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString, new Dictionary<string, string?> { ["Auth:DevelopmentMode"] = "true" });
        using var anonymous = TestApiKeys.OpenChannel(server.Address, apiKey: null);

        var status = await ListSurveysStatusAsync(anonymous);
        var keysStatus = await AuthKit.StatusOfAsync(async () =>
            await new ApiKeyService.ApiKeyServiceClient(anonymous).ListApiKeysAsync(new ListApiKeysRequest()));

        Assert.Equal(StatusCode.OK, status.StatusCode);
        Assert.Equal(StatusCode.OK, keysStatus.StatusCode);
    }

    [Fact]
    public void DevelopmentMode_Default_Off()
    {
        var options = new AuthOptions();

        Assert.False(options.DevelopmentMode);
        Assert.True(options.AllowAnonymousHealth);
        Assert.True(options.AllowAnonymousReflection);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CacheDuration);
    }

    private static Task<Status> ListSurveysStatusAsync(Grpc.Net.Client.GrpcChannel channel) =>
        AuthKit.StatusOfAsync(async () =>
            await new SurveyService.SurveyServiceClient(channel).ListSurveysAsync(new ListSurveysRequest { PageSize = 1 }));
}

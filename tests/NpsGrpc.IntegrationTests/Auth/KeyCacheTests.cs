using Grpc.Core;
using NpsGrpc.Server.Auth;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Auth;

/// <summary>
/// The key cache: a key revoked outside this server (directly in the database, as another instance would) stays
/// accepted until its cached outcome expires, and is rejected after that.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class KeyCacheTests(ServerFixture fixture)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RevokedElsewhere_LongCache_StillAccepted()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString, new Dictionary<string, string?> { ["Auth:CacheDuration"] = "00:10:00" });
        var (key, channel) = await AuthKit.ChannelWithKeyAsync(server, [AccessScope.Query]);
        using (channel)
        {
            var surveys = new SurveyService.SurveyServiceClient(channel);
            await surveys.ListSurveysAsync(new ListSurveysRequest { PageSize = 1 });

            await AuthKit.Store(server).RevokeAsync(AuthKit.KeyIdOf(key), CancellationToken.None);
            var status = await AuthKit.StatusOfAsync(async () => await surveys.ListSurveysAsync(new ListSurveysRequest { PageSize = 1 }));

            Assert.Equal(StatusCode.OK, status.StatusCode);
        }
    }

    [Fact]
    public async Task RevokedElsewhere_ShortCache_RejectedAfterExpiry()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString, new Dictionary<string, string?> { ["Auth:CacheDuration"] = "00:00:00.200" });
        var (key, channel) = await AuthKit.ChannelWithKeyAsync(server, [AccessScope.Query]);
        using (channel)
        {
            var surveys = new SurveyService.SurveyServiceClient(channel);
            await surveys.ListSurveysAsync(new ListSurveysRequest { PageSize = 1 });

            await AuthKit.Store(server).RevokeAsync(AuthKit.KeyIdOf(key), CancellationToken.None);
            var status = await PollUntilRejectedAsync(
                async () => await surveys.ListSurveysAsync(new ListSurveysRequest { PageSize = 1 }));

            Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
            Assert.Equal(ApiKeyInterceptor.UnauthenticatedMessage, status.Detail);
        }
    }

    [Fact]
    public async Task RevokedElsewhere_OpenStream_EndsUnauthenticated()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString, new Dictionary<string, string?> { ["Auth:CacheDuration"] = "00:00:00.200" });
        string surveyId = await server.CreateSurveyAsync("cache");
        var (key, channel) = await AuthKit.ChannelWithKeyAsync(server, [AccessScope.Ingest]);
        using (channel)
        {
            using var call = new IngestService.IngestServiceClient(channel).StreamResponses();
            await call.RequestStream.WriteAsync(TestResponses.Batch(surveyId, "b0", [TestResponses.Make("r0", 9)]));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

            await AuthKit.Store(server).RevokeAsync(AuthKit.KeyIdOf(key), CancellationToken.None);
            int batch = 1;
            var status = await PollUntilRejectedAsync(async () =>
            {
                await call.RequestStream.WriteAsync(
                    TestResponses.Batch(surveyId, $"b{batch}", [TestResponses.Make($"r{batch}", 9)]));
                batch++;
                if (!await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    throw new InvalidOperationException("The stream ended without a status.");
                }
            });

            Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        }
    }

    [Fact]
    public async Task RevokedElsewhere_Subscription_EndsUnauthenticated()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString,
            new Dictionary<string, string?> { ["Auth:CacheDuration"] = "00:00:00.200", ["FollowUps:PollInterval"] = "00:00:00.100" });
        string surveyId = await server.CreateSurveyAsync("cache");
        var (key, channel) = await AuthKit.ChannelWithKeyAsync(server, [AccessScope.Query]);
        using (channel)
        {
            using var guard = new CancellationTokenSource(HangGuard);
            using var call = new FollowUpService.FollowUpServiceClient(channel).SubscribeFollowUps(
                new SubscribeFollowUpsRequest { SurveyId = surveyId }, cancellationToken: guard.Token);
            await TestResponses.StreamAsync(
                server.Ingest, TestResponses.Batch(surveyId, "b0", [TestResponses.Make("r0", 0, customerId: "c0")]));
            Assert.True(await call.ResponseStream.MoveNext(guard.Token));

            await AuthKit.Store(server).RevokeAsync(AuthKit.KeyIdOf(key), CancellationToken.None);
            int batch = 1;
            var status = await PollUntilRejectedAsync(async () =>
            {
                // Each detractor opens a follow-up item, which the stream tries to send.
                await TestResponses.StreamAsync(
                    server.Ingest,
                    TestResponses.Batch(surveyId, $"b{batch}", [TestResponses.Make($"r{batch}", 0, customerId: $"c{batch}")]));
                batch++;
                if (!await call.ResponseStream.MoveNext(guard.Token))
                {
                    throw new InvalidOperationException("The stream ended without a status.");
                }
            });

            Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        }
    }

    /// <summary>Repeats <paramref name="call"/> until it fails with a gRPC status, which it returns.</summary>
    private static async Task<Status> PollUntilRejectedAsync(Func<Task> call)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            var status = await AuthKit.StatusOfAsync(call);
            if (status.StatusCode != StatusCode.OK)
            {
                return status;
            }

            Assert.False(guard.IsCancellationRequested, "The revoked key was still accepted after the hang guard.");
            await Task.Delay(50);
        }
    }
}

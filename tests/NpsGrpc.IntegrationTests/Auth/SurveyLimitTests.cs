using Grpc.Core;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Auth;

/// <summary>Keys limited to surveys, on ingest streams and queries.</summary>
[Collection(ServerCollection.Name)]
public sealed class SurveyLimitTests(ServerFixture fixture)
{
    [Fact]
    public async Task StreamResponses_OtherSurveyMidStream_PermissionDenied()
    {
        string allowed = await fixture.Server.CreateSurveyAsync("limit");
        string other = await fixture.Server.CreateSurveyAsync("limit");
        var (_, channel) = await AuthKit.ChannelWithKeyAsync(fixture.Server, [AccessScope.Ingest], [allowed]);
        using (channel)
        {
            using var call = new IngestService.IngestServiceClient(channel).StreamResponses();
            await call.RequestStream.WriteAsync(TestResponses.Batch(allowed, "b1", [TestResponses.Make("r1", 10)]));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(1, call.ResponseStream.Current.Result.AcceptedCount);

            await call.RequestStream.WriteAsync(TestResponses.Batch(other, "b2", [TestResponses.Make("r2", 0)]));
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains($"survey '{other}'", error.Status.Detail);
        }

        Assert.Equal(1, await TestResponses.CountRowsAsync(fixture.Database.ConnectionString, allowed));
        Assert.Equal(0, await TestResponses.CountRowsAsync(fixture.Database.ConnectionString, other));
    }

    [Fact]
    public async Task IngestResponses_OtherSurvey_PermissionDenied()
    {
        string allowed = await fixture.Server.CreateSurveyAsync("limit");
        string other = await fixture.Server.CreateSurveyAsync("limit");
        var (_, channel) = await AuthKit.ChannelWithKeyAsync(fixture.Server, [AccessScope.Ingest], [allowed]);
        using (channel)
        {
            var status = await AuthKit.StatusOfAsync(async () =>
            {
                using var call = new IngestService.IngestServiceClient(channel).IngestResponses();
                await call.RequestStream.WriteAsync(new IngestResponsesRequest
                {
                    SurveyId = other, BatchId = "b1", Responses = { TestResponses.Make("r1", 3) },
                });
                await call.RequestStream.CompleteAsync();
                await call;
            });

            Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
        }

        Assert.Equal(0, await TestResponses.CountRowsAsync(fixture.Database.ConnectionString, other));
    }

    [Fact]
    public async Task Queries_SurveyLimitedKey_OnlyOwnSurveys()
    {
        string allowed = await fixture.Server.CreateSurveyAsync("limit");
        string other = await fixture.Server.CreateSurveyAsync("limit");
        await TestResponses.StreamAsync(
            fixture.Server.Ingest, TestResponses.Batch(allowed, "b1", [TestResponses.Make("r1", 10), TestResponses.Make("r2", 2)]));
        var (_, channel) = await AuthKit.ChannelWithKeyAsync(fixture.Server, [AccessScope.Query], [allowed]);
        using (channel)
        {
            var query = new QueryService.QueryServiceClient(channel);

            var own = await query.GetNpsAsync(new GetNpsRequest { SurveyId = allowed });
            var otherStatus = await AuthKit.StatusOfAsync(async () => await query.GetNpsAsync(new GetNpsRequest { SurveyId = other }));
            var mixedStatus = await AuthKit.StatusOfAsync(async () =>
                await query.GetNpsAsync(new GetNpsRequest { SurveyIds = { allowed, other } }));
            var trendStatus = await AuthKit.StatusOfAsync(async () =>
                await query.GetNpsTrendAsync(new GetNpsTrendRequest { SurveyId = allowed, SurveyIds = { other } }));

            // One promoter and one detractor of two responses: NPS 0.
            Assert.Equal(2, own.Overall.ResponseCount);
            Assert.Equal(1, own.Overall.PromoterCount);
            Assert.Equal(0, own.Overall.Nps, 9);
            Assert.Equal(StatusCode.PermissionDenied, otherStatus.StatusCode);
            Assert.Equal(StatusCode.PermissionDenied, mixedStatus.StatusCode);
            Assert.Equal(StatusCode.PermissionDenied, trendStatus.StatusCode);
        }
    }

    [Fact]
    public async Task SurveyLimitedKey_RequestWithoutSurvey_PermissionDenied()
    {
        string allowed = await fixture.Server.CreateSurveyAsync("limit");
        var (_, channel) = await AuthKit.ChannelWithKeyAsync(fixture.Server, AccessScopes.All.ToArray(), [allowed]);
        using (channel)
        {
            var list = await AuthKit.StatusOfAsync(async () =>
                await new SurveyService.SurveyServiceClient(channel).ListSurveysAsync(new ListSurveysRequest()));
            var keys = await AuthKit.StatusOfAsync(async () =>
                await new ApiKeyService.ApiKeyServiceClient(channel).ListApiKeysAsync(new ListApiKeysRequest()));
            var followUps = await AuthKit.StatusOfAsync(async () =>
                await new FollowUpService.FollowUpServiceClient(channel).ListFollowUpsAsync(new ListFollowUpsRequest()));
            var get = await AuthKit.StatusOfAsync(async () =>
                await new SurveyService.SurveyServiceClient(channel).GetSurveyAsync(new GetSurveyRequest { SurveyId = allowed }));

            Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
            Assert.Contains("does not name its surveys", list.Detail);
            Assert.Equal(StatusCode.PermissionDenied, keys.StatusCode);
            Assert.Equal(StatusCode.PermissionDenied, followUps.StatusCode);
            Assert.Equal(StatusCode.OK, get.StatusCode);
        }
    }
}

using Grpc.Core;
using Grpc.Net.Client;
using NpsGrpc.Server.Auth;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Auth;

/// <summary>One RPC of every service, called with a key of each scope.</summary>
[Collection(ServerCollection.Name)]
public sealed class ScopeTests(ServerFixture fixture)
{
    /// <summary>The scopes that must allow each group's RPC, written out independently of the server's table.</summary>
    public static TheoryData<string, string[]> Groups => new()
    {
        { "survey-create", ["admin", "ingest"] },
        { "survey-read", ["ingest", "query", "export", "admin"] },
        { "ingest", ["ingest"] },
        { "query", ["query"] },
        { "cohort", ["query"] },
        { "insight", ["query"] },
        { "export", ["export"] },
        { "follow-up", ["query"] },
        { "goal", ["query"] },
        { "api-key", ["admin"] },
    };

    [Theory]
    [MemberData(nameof(Groups))]
    public async Task Rpc_EachScope_AllowedOrDenied(string group, string[] allowedScopes)
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("scope");
        foreach (var scope in AccessScopes.All)
        {
            var (_, channel) = await AuthKit.ChannelWithKeyAsync(fixture.Server, [scope]);
            using (channel)
            {
                var status = await AuthKit.StatusOfAsync(() => CallAsync(group, channel, surveyId));

                string name = AccessScopes.Name(scope);
                if (allowedScopes.Contains(name))
                {
                    Assert.True(
                        status.StatusCode is not (StatusCode.PermissionDenied or StatusCode.Unauthenticated),
                        $"{group} with scope {name}: {status}");
                }
                else
                {
                    Assert.True(status.StatusCode == StatusCode.PermissionDenied, $"{group} with scope {name}: {status}");
                    Assert.Contains("requires an API key with the scope", status.Detail);
                    Assert.Contains(allowedScopes[0], status.Detail);
                }
            }
        }
    }

    [Fact]
    public void Policies_EveryRpc_HasScope()
    {
        var policies = new RpcPolicies();

        foreach (var service in RpcPolicies.Services)
        {
            foreach (var method in service.Methods)
            {
                var policy = policies.Find($"/{service.FullName}/{method.Name}");
                Assert.True(policy is not null, $"{service.FullName}.{method.Name} has no scope");
                Assert.NotEmpty(policy.Scopes);
            }
        }
    }

    [Fact]
    public void Policies_ApiKeyService_AdminOnly()
    {
        var policies = new RpcPolicies();

        foreach (var method in ApiKeyService.Descriptor.Methods)
        {
            var policy = policies.Find($"/nps.v1.ApiKeyService/{method.Name}")!;
            Assert.Equal([AccessScope.Admin], policy.Scopes);
        }
    }

    private static async Task CallAsync(string group, GrpcChannel channel, string surveyId)
    {
        switch (group)
        {
            case "survey-create":
                await new SurveyService.SurveyServiceClient(channel).CreateSurveyAsync(new CreateSurveyRequest
                {
                    Survey = new Survey { SurveyId = $"scope-{Guid.NewGuid():N}", DisplayName = "Scope test" },
                });
                break;
            case "survey-read":
                await new SurveyService.SurveyServiceClient(channel).GetSurveyAsync(new GetSurveyRequest { SurveyId = surveyId });
                break;
            case "ingest":
                using (var call = new IngestService.IngestServiceClient(channel).IngestResponses())
                {
                    await call.RequestStream.WriteAsync(new IngestResponsesRequest
                    {
                        SurveyId = surveyId, BatchId = "b1", Responses = { TestResponses.Make($"r-{Guid.NewGuid():N}", 9) },
                    });
                    await call.RequestStream.CompleteAsync();
                    await call;
                }

                break;
            case "query":
                await new QueryService.QueryServiceClient(channel).GetNpsAsync(new GetNpsRequest { SurveyId = surveyId });
                break;
            case "cohort":
                await new CohortService.CohortServiceClient(channel).ListCohortsAsync(new ListCohortsRequest { PageSize = 1 });
                break;
            case "insight":
                await new InsightService.InsightServiceClient(channel).SearchCommentsAsync(
                    new SearchCommentsRequest { SurveyId = surveyId, Query = "slow" });
                break;
            case "export":
                await new ExportService.ExportServiceClient(channel).ListExportTargetsAsync(new ListExportTargetsRequest { PageSize = 1 });
                break;
            case "follow-up":
                await new FollowUpService.FollowUpServiceClient(channel).ListFollowUpsAsync(
                    new ListFollowUpsRequest { Filter = new OutreachFilter { SurveyId = surveyId } });
                break;
            case "goal":
                await new GoalService.GoalServiceClient(channel).ListGoalsAsync(new ListGoalsRequest { SurveyId = surveyId });
                break;
            case "api-key":
                await new ApiKeyService.ApiKeyServiceClient(channel).ListApiKeysAsync(new ListApiKeysRequest { PageSize = 1 });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(group), group, "Unknown RPC group.");
        }
    }
}

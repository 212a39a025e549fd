using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Auth;

/// <summary>ApiKeyService: creating, reading, listing and revoking keys, and its input checks.</summary>
[Collection(ServerCollection.Name)]
public sealed class ApiKeyServiceTests(ServerFixture fixture)
{
    private ApiKeyService.ApiKeyServiceClient Keys => new(fixture.Server.Channel);

    [Fact]
    public async Task CreateApiKey_SecretWorks_WithItsScope()
    {
        var created = await Keys.CreateApiKeyAsync(Request(UniqueName(), [ApiKeyScope.Query]));
        using var channel = TestApiKeys.OpenChannel(fixture.Server.Address, created.Secret);

        var list = await AuthKit.StatusOfAsync(async () =>
            await new SurveyService.SurveyServiceClient(channel).ListSurveysAsync(new ListSurveysRequest()));
        var export = await AuthKit.StatusOfAsync(async () =>
            await new ExportService.ExportServiceClient(channel).ListExportTargetsAsync(new ListExportTargetsRequest()));

        Assert.StartsWith("nps_" + created.ApiKey.KeyId + "_", created.Secret);
        Assert.Equal([ApiKeyScope.Query], created.ApiKey.Scopes);
        Assert.NotNull(created.ApiKey.CreateTime);
        Assert.Equal(StatusCode.OK, list.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, export.StatusCode);
    }

    [Fact]
    public async Task CreateApiKey_StoresOnlyHash()
    {
        var created = await Keys.CreateApiKeyAsync(Request(UniqueName(), [ApiKeyScope.Ingest]));

        var stored = await AuthKit.Store(fixture.Server).GetAsync(created.ApiKey.KeyId, CancellationToken.None);

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(created.Secret)), stored!.KeyHash);
    }

    [Fact]
    public async Task GetAndList_NeverReturnSecret()
    {
        string name = UniqueName();
        var created = await Keys.CreateApiKeyAsync(Request(name, [ApiKeyScope.Export], surveyIds: ["alpha", "beta"]));

        var fetched = await Keys.GetApiKeyAsync(new GetApiKeyRequest { KeyId = created.ApiKey.KeyId });
        var listed = await ListAllAsync(includeRevoked: false);

        Assert.Equal(name, fetched.ApiKey.DisplayName);
        Assert.Equal(["alpha", "beta"], fetched.ApiKey.SurveyIds);
        Assert.DoesNotContain(created.Secret, fetched.ToString());
        Assert.Contains(listed, k => k.KeyId == created.ApiKey.KeyId);
        Assert.DoesNotContain(created.Secret, string.Join("\n", listed.Select(k => k.ToString())));
    }

    [Fact]
    public async Task RevokeApiKey_Twice_KeepsFirstTime()
    {
        var created = await Keys.CreateApiKeyAsync(Request(UniqueName(), [ApiKeyScope.Query]));

        var first = await Keys.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = created.ApiKey.KeyId });
        var second = await Keys.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = created.ApiKey.KeyId });
        var active = await ListAllAsync(includeRevoked: false);
        var all = await ListAllAsync(includeRevoked: true);

        Assert.NotNull(first.ApiKey.RevokeTime);
        Assert.Equal(first.ApiKey.RevokeTime, second.ApiKey.RevokeTime);
        Assert.DoesNotContain(active, k => k.KeyId == created.ApiKey.KeyId);
        Assert.Contains(all, k => k.KeyId == created.ApiKey.KeyId);
    }

    [Fact]
    public async Task CreateApiKey_ActiveNameTaken_AlreadyExists()
    {
        string name = UniqueName();
        var first = await Keys.CreateApiKeyAsync(Request(name, [ApiKeyScope.Query]));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Keys.CreateApiKeyAsync(Request(name, [ApiKeyScope.Query])));
        await Keys.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = first.ApiKey.KeyId });
        var reused = await Keys.CreateApiKeyAsync(Request(name, [ApiKeyScope.Query]));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.NotEqual(first.ApiKey.KeyId, reused.ApiKey.KeyId);
    }

    public static TheoryData<string, string, string> InvalidRequests => new()
    {
        { "no-key", "api_key", "api_key is required" },
        { "blank-name", "api_key.display_name", "api_key.display_name is required" },
        { "long-name", "api_key.display_name", "101 characters long; the maximum is 100" },
        { "no-scope", "api_key.scopes", "api_key.scopes is required" },
        { "unspecified-scope", "api_key.scopes[1]", "API_KEY_SCOPE_UNSPECIFIED" },
        { "unknown-scope", "api_key.scopes[0]", "is 42" },
        { "bad-survey", "api_key.survey_ids[1]", "'Not Valid' is invalid" },
        { "repeated-survey", "api_key.survey_ids[1]", "repeats survey 'alpha'" },
        { "too-many-surveys", "api_key.survey_ids", "has 101 entries; the maximum is 100" },
        { "past-expiry", "api_key.expire_time", "is not in the future" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task CreateApiKey_Invalid_InvalidArgument(string @case, string field, string message)
    {
        var request = @case switch
        {
            "no-key" => new CreateApiKeyRequest(),
            "blank-name" => Request("   ", [ApiKeyScope.Query]),
            "long-name" => Request(new string('n', 101), [ApiKeyScope.Query]),
            "no-scope" => Request(UniqueName(), []),
            "unspecified-scope" => Request(UniqueName(), [ApiKeyScope.Query, ApiKeyScope.Unspecified]),
            "unknown-scope" => Request(UniqueName(), [(ApiKeyScope)42]),
            "bad-survey" => Request(UniqueName(), [ApiKeyScope.Query], surveyIds: ["alpha", "Not Valid"]),
            "repeated-survey" => Request(UniqueName(), [ApiKeyScope.Query], surveyIds: ["alpha", "alpha"]),
            "too-many-surveys" => Request(
                UniqueName(), [ApiKeyScope.Query], surveyIds: Enumerable.Range(0, 101).Select(i => $"s{i}").ToArray()),
            "past-expiry" => Request(UniqueName(), [ApiKeyScope.Query], expireTime: DateTime.UtcNow.AddMinutes(-1)),
            _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, "Unknown case."),
        };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Keys.CreateApiKeyAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
        Assert.Contains(message, error.Status.Detail);
    }

    [Fact]
    public async Task GetApiKey_MalformedId_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Keys.GetApiKeyAsync(new GetApiKeyRequest { KeyId = "XYZ" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("key_id", TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task GetApiKey_WholeKey_NotEchoed()
    {
        string key = ApiKeySecret.Generate().Key;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Keys.GetApiKeyAsync(new GetApiKeyRequest { KeyId = key }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.DoesNotContain(key[4..], error.Status.Detail);
    }

    [Fact]
    public async Task RevokeApiKey_Unknown_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Keys.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = ApiKeySecret.Generate().KeyId }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task ListApiKeys_Pages_CoverEveryKey()
    {
        var created = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            created.Add((await Keys.CreateApiKeyAsync(Request(UniqueName(), [ApiKeyScope.Query]))).ApiKey.KeyId);
        }

        var seen = new List<string>();
        var request = new ListApiKeysRequest { PageSize = 2 };
        do
        {
            var page = await Keys.ListApiKeysAsync(request);
            Assert.True(page.ApiKeys.Count <= 2);
            seen.AddRange(page.ApiKeys.Select(k => k.KeyId));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.All(created, id => Assert.Contains(id, seen));
    }

    [Fact]
    public async Task ListApiKeys_NegativePageSize_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Keys.ListApiKeysAsync(new ListApiKeysRequest { PageSize = -1 }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("page_size", TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    private static string UniqueName() => $"key-{Guid.NewGuid():N}";

    private static CreateApiKeyRequest Request(
        string name, ApiKeyScope[] scopes, string[]? surveyIds = null, DateTime? expireTime = null)
    {
        var apiKey = new ApiKey { DisplayName = name };
        apiKey.Scopes.AddRange(scopes);
        apiKey.SurveyIds.AddRange(surveyIds ?? []);
        if (expireTime is { } expire)
        {
            apiKey.ExpireTime = Timestamp.FromDateTime(expire);
        }

        return new CreateApiKeyRequest { ApiKey = apiKey };
    }

    private async Task<List<ApiKey>> ListAllAsync(bool includeRevoked)
    {
        var keys = new List<ApiKey>();
        var request = new ListApiKeysRequest { PageSize = 1000, IncludeRevoked = includeRevoked };
        do
        {
            var page = await Keys.ListApiKeysAsync(request);
            keys.AddRange(page.ApiKeys);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return keys;
    }
}

using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests.Insights;

[Collection(ServerCollection.Name)]
public sealed class InsightValidationTests(ServerFixture fixture)
{
    private InsightService.InsightServiceClient Client => InsightData.Client(fixture.Server);

    private static AttributeRef Response(string key) => new() { Key = key, Scope = AttributeScope.Response };

    private static async Task AssertInvalidAsync<T>(Func<Task<T>> call, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(BadRequestOf(error)!.FieldViolations);
        Assert.Equal(field, violation.Field);
        Assert.Contains(field, violation.Description);
    }

    [Fact]
    public async Task GetPersonas_BadFields_InvalidArgument()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync();

        await AssertInvalidAsync(() => Client.GetPersonasAsync(new GetPersonasRequest()).ResponseAsync, "survey_id");
        await AssertInvalidAsync(() => Client.GetPersonasAsync(new GetPersonasRequest { SurveyId = surveyId, MinSupport = -1 }).ResponseAsync, "min_support");
        await AssertInvalidAsync(() => Client.GetPersonasAsync(new GetPersonasRequest { SurveyId = surveyId, MinSampleSize = -5 }).ResponseAsync, "min_sample_size");
        await AssertInvalidAsync(() => Client.GetPersonasAsync(new GetPersonasRequest { SurveyId = surveyId, TopK = 1001 }).ResponseAsync, "top_k");
        await AssertInvalidAsync(
            () => Client.GetPersonasAsync(new GetPersonasRequest { SurveyId = surveyId, Attributes = { new AttributeRef { Key = "plan" } } }).ResponseAsync,
            "attributes[0].scope");
        await AssertInvalidAsync(
            () => Client.GetPersonasAsync(new GetPersonasRequest { SurveyId = surveyId, Attributes = { Response("9bad") } }).ResponseAsync,
            "attributes[0].key");
        var tooMany = new GetPersonasRequest { SurveyId = surveyId };
        tooMany.Attributes.AddRange(Enumerable.Range(0, 21).Select(i => Response($"k{i}")));
        await AssertInvalidAsync(() => Client.GetPersonasAsync(tooMany).ResponseAsync, "attributes");
    }

    [Fact]
    public async Task GetPersonas_UnknownSurvey_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.GetPersonasAsync(new GetPersonasRequest { SurveyId = "no-such-survey-x" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task FindCombinations_BadFields_InvalidArgument()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync();
        FindPersonaCombinationsRequest Valid() => new() { SurveyId = surveyId, Attributes = { Response("plan") } };

        await AssertInvalidAsync(() => Client.FindPersonaCombinationsAsync(new FindPersonaCombinationsRequest { SurveyId = surveyId }).ResponseAsync, "attributes");
        var duplicate = Valid();
        duplicate.Attributes.Add(Response("plan"));
        await AssertInvalidAsync(() => Client.FindPersonaCombinationsAsync(duplicate).ResponseAsync, "attributes");
        var nine = Valid();
        nine.Attributes.AddRange(Enumerable.Range(0, 8).Select(i => Response($"k{i}")));
        await AssertInvalidAsync(() => Client.FindPersonaCombinationsAsync(nine).ResponseAsync, "attributes");
        var size = Valid();
        size.MaxAttributeCount = 4;
        await AssertInvalidAsync(() => Client.FindPersonaCombinationsAsync(size).ResponseAsync, "max_attribute_count");
        var passive = Valid();
        passive.Category = NpsCategory.Passive;
        await AssertInvalidAsync(() => Client.FindPersonaCombinationsAsync(passive).ResponseAsync, "category");
        var topK = Valid();
        topK.TopK = 101;
        await AssertInvalidAsync(() => Client.FindPersonaCombinationsAsync(topK).ResponseAsync, "top_k");
        var reversed = Valid();
        reversed.StartTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(BaseTime);
        reversed.EndTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(BaseTime);
        await AssertInvalidAsync(() => Client.FindPersonaCombinationsAsync(reversed).ResponseAsync, "end_time");
    }

    [Fact]
    public async Task GetThemes_BadFields_InvalidArgument()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync();

        await AssertInvalidAsync(() => Client.GetCommentThemesAsync(new GetCommentThemesRequest { SurveyId = surveyId, TopK = 201 }).ResponseAsync, "top_k");
        await AssertInvalidAsync(() => Client.GetCommentThemesAsync(new GetCommentThemesRequest { SurveyId = surveyId, MinCount = -1 }).ResponseAsync, "min_count");
        await AssertInvalidAsync(
            () => Client.GetCommentThemesAsync(new GetCommentThemesRequest
            {
                SurveyId = surveyId,
                Filters = { new AttributeCondition { Key = "plan", Scope = AttributeScope.Response } },
            }).ResponseAsync,
            "filters[0].operator");
    }

    [Fact]
    public async Task SearchComments_BadFields_InvalidArgument()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync();

        await AssertInvalidAsync(() => Client.SearchCommentsAsync(new SearchCommentsRequest { SurveyId = surveyId, Query = "  " }).ResponseAsync, "query");
        await AssertInvalidAsync(() => Client.SearchCommentsAsync(new SearchCommentsRequest { SurveyId = surveyId, Query = new string('a', 201) }).ResponseAsync, "query");
        await AssertInvalidAsync(() => Client.SearchCommentsAsync(new SearchCommentsRequest { SurveyId = surveyId, Query = "!!! --" }).ResponseAsync, "query");
        await AssertInvalidAsync(() => Client.SearchCommentsAsync(new SearchCommentsRequest { SurveyId = surveyId, Query = "a", PageSize = 501 }).ResponseAsync, "page_size");
        await AssertInvalidAsync(() => Client.SearchCommentsAsync(new SearchCommentsRequest { SurveyId = surveyId, Query = "a", PageToken = "garbage" }).ResponseAsync, "page_token");
        await AssertInvalidAsync(
            () => Client.SearchCommentsAsync(new SearchCommentsRequest { SurveyId = surveyId, Query = "a", Categories = { NpsCategory.Unspecified } }).ResponseAsync,
            "categories[0]");
        string foreignToken = NpsGrpc.Server.Services.PageToken.Encode("not-a-cursor");
        await AssertInvalidAsync(() => Client.SearchCommentsAsync(new SearchCommentsRequest { SurveyId = surveyId, Query = "a", PageToken = foreignToken }).ResponseAsync, "page_token");
    }
}

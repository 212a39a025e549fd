using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class SurveyServiceTests(ServerFixture fixture)
{
    private SurveyService.SurveyServiceClient Surveys => fixture.Server.Surveys;

    [Fact]
    public async Task CreateSurvey_ThenGet_ReturnsSameFields()
    {
        string id = $"s-{Guid.NewGuid():N}";
        var created = await Surveys.CreateSurveyAsync(new CreateSurveyRequest
        {
            Survey = new Survey { SurveyId = id, DisplayName = "Checkout", Description = "After purchase" },
        });

        var fetched = await Surveys.GetSurveyAsync(new GetSurveyRequest { SurveyId = id });

        Assert.Equal(created.Survey, fetched.Survey);
        Assert.Equal("Checkout", fetched.Survey.DisplayName);
        Assert.NotNull(fetched.Survey.CreateTime);
    }

    [Fact]
    public async Task CreateSurvey_WithoutId_GeneratesValidId()
    {
        var created = await Surveys.CreateSurveyAsync(new CreateSurveyRequest { Survey = new Survey { DisplayName = "Generated" } });

        Assert.True(NpsGrpc.Domain.Validation.Identifiers.IsSurveyId(created.Survey.SurveyId));
    }

    [Fact]
    public async Task CreateSurvey_TakenId_AlreadyExists()
    {
        string id = await fixture.Server.CreateSurveyAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Surveys.CreateSurveyAsync(
            new CreateSurveyRequest { Survey = new Survey { SurveyId = id, DisplayName = "Again" } }));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
    }

    [Theory]
    [InlineData("UPPER", "Name", "survey.survey_id")]
    [InlineData("ok-id", "  ", "survey.display_name")]
    [InlineData("ok-id", "Name\u001b[2J", "survey.display_name")]
    [InlineData("ok-id", "Two\nlines", "survey.display_name")]
    public async Task CreateSurvey_InvalidField_InvalidArgument(string id, string name, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Surveys.CreateSurveyAsync(
            new CreateSurveyRequest { Survey = new Survey { SurveyId = id, DisplayName = name } }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task GetSurvey_Missing_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(
            async () => await Surveys.GetSurveyAsync(new GetSurveyRequest { SurveyId = "never-created" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task ListSurveys_SmallPages_VisitsEverySurveyOnce()
    {
        for (int i = 0; i < 5; i++)
        {
            await fixture.Server.CreateSurveyAsync("page");
        }

        var seen = new List<string>();
        string token = "";
        int pages = 0;
        do
        {
            var page = await Surveys.ListSurveysAsync(new ListSurveysRequest { PageSize = 2, PageToken = token });
            Assert.True(page.Surveys.Count <= 2);
            seen.AddRange(page.Surveys.Select(s => s.SurveyId));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 10_000);

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.True(seen.Count(s => s.StartsWith("page-", StringComparison.Ordinal)) >= 5);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("azE6AA")]
    public async Task ListSurveys_ForeignToken_InvalidArgument(string token)
    {
        // "azE6AA" is base64url of the token prefix followed by a NUL character.
        var error = await Assert.ThrowsAsync<RpcException>(
            async () => await Surveys.ListSurveysAsync(new ListSurveysRequest { PageToken = token }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }
}

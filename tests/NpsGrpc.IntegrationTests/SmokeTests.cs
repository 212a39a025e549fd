using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class SmokeTests(ServerFixture fixture)
{
    [Fact]
    public async Task GetSurvey_AfterCreate_ReturnsIt()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync();
        var response = await fixture.Server.Surveys.GetSurveyAsync(new GetSurveyRequest { SurveyId = surveyId });
        Assert.Equal(surveyId, response.Survey.SurveyId);
    }
}

using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Auth;

/// <summary>A server on an https endpoint with a certificate generated in the test.</summary>
[Collection(ServerCollection.Name)]
public sealed class TlsTests(ServerFixture fixture)
{
    [Fact]
    public async Task Https_TrustedCertificate_CallSucceeds()
    {
        using var certificate = TestCertificate.Create();
        await using var server = await RunningServer.StartAsync(fixture.Database.ConnectionString, certificate.ServerSettings());
        using var channel = TestApiKeys.OpenChannel(server.Address, server.ApiKey, certificate.TrustingHandler());

        string surveyId = $"tls-{Guid.NewGuid():N}"[..30];
        var created = await new SurveyService.SurveyServiceClient(channel).CreateSurveyAsync(new CreateSurveyRequest
        {
            Survey = new Survey { SurveyId = surveyId, DisplayName = "Over TLS" },
        });

        Assert.StartsWith("https://127.0.0.1:", server.Address);
        Assert.Equal(surveyId, created.Survey.SurveyId);
    }

    [Fact]
    public async Task Https_UntrustedCertificate_Rejected()
    {
        using var certificate = TestCertificate.Create();
        await using var server = await RunningServer.StartAsync(fixture.Database.ConnectionString, certificate.ServerSettings());
        using var channel = TestApiKeys.OpenChannel(server.Address, server.ApiKey);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new SurveyService.SurveyServiceClient(channel).ListSurveysAsync(new ListSurveysRequest()));

        // The client rejects the handshake, so the call fails before the server receives it.
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
        Assert.Contains(Causes(error), cause => cause is System.Security.Authentication.AuthenticationException);
    }

    private static IEnumerable<Exception> Causes(RpcException error)
    {
        for (var cause = error.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }
}

namespace NpsGrpc.Cli;

/// <summary>Adds "authorization: Bearer &lt;key&gt;" to every HTTP/2 request, which gRPC reads as call metadata.</summary>
internal sealed class BearerKeyHandler(string apiKey) : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("authorization", "Bearer " + apiKey);
        return base.SendAsync(request, cancellationToken);
    }
}

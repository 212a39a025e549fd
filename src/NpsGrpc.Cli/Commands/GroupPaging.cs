using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>Fetches every page of groups of a GetNps request.</summary>
internal static class GroupPaging
{
    /// <summary>
    /// Calls GetNps with <paramref name="request"/> and follows next_page_token until the last page. Returns the
    /// first response with the groups of every page and an empty next_page_token. Sets the request's page_token.
    /// </summary>
    public static async Task<GetNpsResponse> GetAllPagesAsync(
        QueryService.QueryServiceClient client, GetNpsRequest request, CancellationToken cancellationToken)
    {
        var response = await client.GetNpsAsync(request, cancellationToken: cancellationToken);
        string nextPageToken = response.NextPageToken;
        while (nextPageToken.Length > 0)
        {
            request.PageToken = nextPageToken;
            var page = await client.GetNpsAsync(request, cancellationToken: cancellationToken);
            response.Groups.AddRange(page.Groups);
            nextPageToken = page.NextPageToken;
        }

        response.NextPageToken = "";
        return response;
    }
}

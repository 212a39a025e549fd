using Grpc.Core;
using NpsGrpc.Server.Insights;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC persona, comment theme and comment search queries.</summary>
public sealed class InsightGrpcService(
    PersonaQuery personas, CombinationQuery combinations, CommentThemeQuery themes, CommentSearchQuery search)
    : InsightService.InsightServiceBase
{
    /// <inheritdoc />
    public override Task<GetPersonasResponse> GetPersonas(GetPersonasRequest request, ServerCallContext context) =>
        personas.RunAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<FindPersonaCombinationsResponse> FindPersonaCombinations(
        FindPersonaCombinationsRequest request, ServerCallContext context) =>
        combinations.RunAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<GetCommentThemesResponse> GetCommentThemes(GetCommentThemesRequest request, ServerCallContext context) =>
        themes.RunAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<SearchCommentsResponse> SearchComments(SearchCommentsRequest request, ServerCallContext context) =>
        search.RunAsync(request, context.CancellationToken);
}

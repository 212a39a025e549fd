using Grpc.Core;
using NpsGrpc.Server.Analytics;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC NPS queries: segments, trends and period comparisons.</summary>
public sealed class QueryGrpcService(SegmentQuery segments, TrendQuery trends, ComparisonQuery comparisons)
    : QueryService.QueryServiceBase
{
    /// <inheritdoc />
    public override Task<GetNpsResponse> GetNps(GetNpsRequest request, ServerCallContext context) =>
        segments.RunAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<GetNpsTrendResponse> GetNpsTrend(GetNpsTrendRequest request, ServerCallContext context) =>
        trends.RunAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<CompareNpsResponse> CompareNps(CompareNpsRequest request, ServerCallContext context) =>
        comparisons.RunAsync(request, context.CancellationToken);
}

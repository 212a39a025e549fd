using System.Diagnostics;
using System.Diagnostics.Metrics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using NpsGrpc.Domain.Telemetry;

namespace NpsGrpc.Server.Observability;

/// <summary>
/// The outermost interceptor: opens a <see cref="CallLogScope"/> around every call, so the log entries of the call
/// (the error interceptor's included) carry the RPC and survey id, and records <c>nps.query.duration</c> for the
/// query RPCs.
/// </summary>
public sealed class ObservabilityInterceptor : Interceptor
{
    // The read-only analytics RPCs whose latency nps.query.duration reports.
    private static readonly HashSet<string> QueryServices = new(StringComparer.Ordinal)
    {
        "nps.v1.QueryService",
        "nps.v1.InsightService",
    };

    private static readonly HashSet<string> QueryMethods = new(StringComparer.Ordinal)
    {
        "/nps.v1.CohortService/GetCohortMatrix",
        "/nps.v1.GoalService/GetGoalProgress",
    };

    private readonly ILogger<ObservabilityInterceptor> _logger;
    private readonly Histogram<double> _queryDuration;

    /// <summary>Creates the interceptor and its histogram on the NpsGrpc meter.</summary>
    public ObservabilityInterceptor(IMeterFactory meterFactory, ILogger<ObservabilityInterceptor> logger)
    {
        _logger = logger;
        _queryDuration = meterFactory.Create(TelemetryNames.Meter).CreateHistogram(
            "nps.query.duration",
            "s",
            "Duration of the query RPCs, by service, method and gRPC status code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetryNames.RequestSecondsBuckets });
    }

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var scope = OpenScope(context);
        scope.SetSurvey(SurveyIdsOf(request as IMessage));
        using var logScope = _logger.BeginScope(scope);
        if (!IsQuery(context.Method))
        {
            return await continuation(request, context);
        }

        long started = Stopwatch.GetTimestamp();
        var status = StatusCode.OK;
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException exception)
        {
            status = exception.StatusCode;
            throw;
        }
        finally
        {
            RecordQuery(context.Method, status, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var logScope = _logger.BeginScope(OpenScope(context));
        return await continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var scope = OpenScope(context);
        scope.SetSurvey(SurveyIdsOf(request as IMessage));
        using var logScope = _logger.BeginScope(scope);
        await continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var logScope = _logger.BeginScope(OpenScope(context));
        await continuation(requestStream, responseStream, context);
    }

    private static CallLogScope OpenScope(ServerCallContext context)
    {
        var scope = new CallLogScope(context.Method);
        scope.AttachTo(context);
        return scope;
    }

    private static bool IsQuery(string method)
    {
        // A method name has the form /package.Service/Method.
        int slash = method.IndexOf('/', 1);
        return QueryMethods.Contains(method) || (slash > 1 && QueryServices.Contains(method[1..slash]));
    }

    private void RecordQuery(string method, StatusCode status, TimeSpan duration)
    {
        int slash = method.IndexOf('/', 1);
        var tags = new TagList
        {
            { "rpc.service", method[1..slash] },
            { "rpc.method", method[(slash + 1)..] },
            { "rpc.grpc.status_code", (int)status },
        };
        _queryDuration.Record(duration.TotalSeconds, tags);
    }

    // Reads the survey_id field, or else the survey_ids list, of a request message. Requests name their surveys in these fields.
    private static string SurveyIdsOf(IMessage? request)
    {
        if (request is null)
        {
            return "";
        }

        var fields = request.Descriptor.Fields;
        if (fields.InFieldNumberOrder().FirstOrDefault(f => f.Name == "survey_id" && f.FieldType == FieldType.String) is { } single
            && single.Accessor.GetValue(request) is string { Length: > 0 } surveyId)
        {
            return surveyId;
        }

        if (fields.InFieldNumberOrder().FirstOrDefault(f => f.Name == "survey_ids" && f.IsRepeated) is { } list
            && list.Accessor.GetValue(request) is IEnumerable<string> surveyIds)
        {
            return string.Join(',', surveyIds);
        }

        return "";
    }
}

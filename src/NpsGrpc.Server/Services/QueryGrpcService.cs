using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;
using DomainIntervalMethod = NpsGrpc.Domain.Scoring.IntervalMethod;
using IntervalMethod = NpsGrpc.V1.IntervalMethod;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC NPS queries.</summary>
public sealed class QueryGrpcService(SurveyDirectory surveys, NpsCountStore counts) : QueryService.QueryServiceBase
{
    private const int MaxGroupBy = 3;
    private const double DefaultConfidenceLevel = 0.95;
    private const int DefaultMinSampleSize = 30;

    /// <inheritdoc />
    public override async Task<GetNpsResponse> GetNps(GetNpsRequest request, ServerCallContext context)
    {
        DateTime? from = ReadInstant(request.StartTime, "start_time");
        DateTime? to = ReadInstant(request.EndTime, "end_time");
        if (from is not null && to is not null && to <= from)
        {
            throw RpcErrors.InvalidArgument("end_time", $"end_time {to:O} must be after start_time {from:O}");
        }

        double level = request.ConfidenceLevel == 0 ? DefaultConfidenceLevel : request.ConfidenceLevel;
        if (!(level > 0 && level < 1))
        {
            throw RpcErrors.InvalidArgument(
                "confidence_level", $"confidence_level {request.ConfidenceLevel} is invalid; it must be strictly between 0 and 1");
        }

        if (request.MinSampleSize < 0)
        {
            throw RpcErrors.InvalidArgument("min_sample_size", $"min_sample_size {request.MinSampleSize} is negative");
        }

        int minSampleSize = request.MinSampleSize == 0 ? DefaultMinSampleSize : request.MinSampleSize;
        var method = request.IntervalMethod == IntervalMethod.Wald ? DomainIntervalMethod.Wald : DomainIntervalMethod.AdjustedWald;
        var groupBy = ReadGroupBy(request);

        await surveys.EnsureExistsAsync(request.SurveyId, context.CancellationToken);
        var result = await counts.CountAsync(new NpsQuery(request.SurveyId, from, to, groupBy), context.CancellationToken);

        var response = new GetNpsResponse { Overall = ToStatistics(result.Overall, level, method, minSampleSize) };
        foreach (var group in result.Groups)
        {
            var message = new NpsGroup { Statistics = ToStatistics(group.Counts, level, method, minSampleSize) };
            for (int i = 0; i < groupBy.Count; i++)
            {
                var key = new GroupKey { Key = request.GroupBy[i].Key, Scope = request.GroupBy[i].Scope };
                if (group.Values[i] is { } value)
                {
                    key.Value = value;
                }

                message.Keys.Add(key);
            }

            response.Groups.Add(message);
        }

        return response;
    }

    private static DateTime? ReadInstant(Timestamp? value, string field)
    {
        // The range of google.protobuf.Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
        const long MinSeconds = -62_135_596_800, MaxSeconds = 253_402_300_799;
        if (value is null)
        {
            return null;
        }

        if (value.Seconds is < MinSeconds or > MaxSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            throw RpcErrors.InvalidArgument(
                field, $"{field} (seconds {value.Seconds}, nanos {value.Nanos}) is not a valid google.protobuf.Timestamp");
        }

        return value.ToDateTime();
    }

    private static List<GroupingAttribute> ReadGroupBy(GetNpsRequest request)
    {
        if (request.GroupBy.Count > MaxGroupBy)
        {
            throw RpcErrors.InvalidArgument(
                "group_by", $"group_by has {request.GroupBy.Count} entries; the maximum is {MaxGroupBy}");
        }

        var groupBy = new List<GroupingAttribute>(request.GroupBy.Count);
        for (int i = 0; i < request.GroupBy.Count; i++)
        {
            var attribute = request.GroupBy[i];
            if (!Identifiers.IsAttributeKey(attribute.Key))
            {
                throw RpcErrors.InvalidArgument(
                    $"group_by[{i}].key",
                    $"group_by[{i}].key '{attribute.Key}' is not a valid attribute key; a key is a letter followed by " +
                    $"letters, digits or underscores, at most {Identifiers.MaxAttributeKeyLength} characters");
            }

            var source = attribute.Scope switch
            {
                AttributeScope.Response => AttributeSource.Response,
                AttributeScope.Customer => AttributeSource.Customer,
                _ => throw RpcErrors.InvalidArgument(
                    $"group_by[{i}].scope", $"group_by[{i}].scope is required: ATTRIBUTE_SCOPE_RESPONSE or ATTRIBUTE_SCOPE_CUSTOMER"),
            };
            groupBy.Add(new GroupingAttribute(attribute.Key, source));
        }

        return groupBy;
    }

    private static NpsStatistics ToStatistics(NpsCounts counts, double level, DomainIntervalMethod method, int minSampleSize)
    {
        var statistics = new NpsStatistics
        {
            ResponseCount = counts.N,
            PromoterCount = counts.Promoters,
            PassiveCount = counts.Passives,
            DetractorCount = counts.Detractors,
            InsufficientSample = counts.N < minSampleSize,
        };

        var estimate = NpsEstimate.Compute(counts, level, method);
        if (estimate.Nps is { } nps)
        {
            statistics.Nps = nps;
            statistics.StandardError = estimate.StandardError!.Value;
            statistics.ConfidenceInterval = new ConfidenceInterval
            {
                Lower = estimate.Lower!.Value,
                Upper = estimate.Upper!.Value,
                Level = level,
                Method = method == DomainIntervalMethod.Wald ? IntervalMethod.Wald : IntervalMethod.AdjustedWald,
            };
        }

        return statistics;
    }
}

using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Domain.Time;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;
using DomainBucketWidth = NpsGrpc.Domain.Time.BucketWidth;

namespace NpsGrpc.Server.Analytics;

/// <summary>NPS per time bucket in an IANA time zone, with rolling windows and bucket-to-bucket changes.</summary>
public sealed class TrendQuery(QueryRequestParser parser, ResponseCounter counter)
{
    /// <summary>Maximum buckets per series.</summary>
    public const int MaxBuckets = 5000;

    /// <summary>Maximum rolling window, in buckets.</summary>
    public const int MaxRollingWindow = 366;

    private sealed record BucketCounts(NpsCounts Counts, WeightedNpsCounts Weights);

    /// <summary>Runs a GetNpsTrend request.</summary>
    public async Task<GetNpsTrendResponse> RunAsync(GetNpsTrendRequest request, CancellationToken cancellationToken)
    {
        (DateTime start, DateTime end) = QueryRequestParser.ReadRequiredRange(request.StartTime, request.EndTime, "");
        var width = ReadWidth(request.BucketWidth);
        string zoneId = request.TimeZone.Length == 0 ? "UTC" : request.TimeZone;
        var zone = ReadZone(zoneId);
        if (request.RollingWindow is < 0 or > MaxRollingWindow)
        {
            throw RpcErrors.InvalidArgument(
                "rolling_window", $"rolling_window {request.RollingWindow} is invalid; use 0 or 1 for none, or 2 to {MaxRollingWindow}");
        }

        int window = Math.Max(1, request.RollingWindow);
        var options = QueryRequestParser.ReadOptions(
            request.ConfidenceLevel, request.IntervalMethod, request.MinSampleSize, request.Weighted);
        var filters = QueryRequestParser.ReadFilters(request.Filters);
        var segmentBy = request.SegmentBy is null ? null : QueryRequestParser.ReadAttribute(request.SegmentBy, "segment_by");

        var buckets = ListBuckets(start, end, width, zone, window - 1, out int firstShown);
        var surveys = await parser.ReadSurveysAsync(request.SurveyId, request.SurveyIds, cancellationToken);

        var from = TimeBuckets.StartOfLocalDateUtc(buckets[0], zone);
        var to = TimeBuckets.StartOfLocalDateUtc(TimeBuckets.NextBucketStart(buckets[^1], width), zone);
        var intervals = buckets.Select(b => new BucketInterval(
            b, TimeBuckets.StartOfLocalDateUtc(b, zone), TimeBuckets.StartOfLocalDateUtc(TimeBuckets.NextBucketStart(b, width), zone)))
            .ToList();
        var bucketing = new TimeBucketing(DateTruncUnit(width), zoneId, intervals);
        var queries = new List<CountQuery> { new(surveys, from, to, filters, [], bucketing, options.Weighted) };
        if (segmentBy is not null)
        {
            queries.Add(new CountQuery(surveys, from, to, filters, [segmentBy], bucketing, options.Weighted));
        }

        var results = await counter.CountAsync(queries, cancellationToken);

        var response = new GetNpsTrendResponse { TimeZone = zoneId };
        response.Series.Add(BuildSeries([], ToLookup(results[0]), buckets, firstShown, width, zone, window, options));
        if (segmentBy is not null)
        {
            foreach (var segment in results[1].GroupBy(r => r.GroupValues[0]).OrderBy(g => g.Key is null).ThenBy(g => g.Key, StringComparer.Ordinal))
            {
                var key = new GroupKey { Key = request.SegmentBy!.Key, Scope = request.SegmentBy.Scope };
                if (segment.Key is { } value)
                {
                    key.Value = value;
                }

                response.Series.Add(BuildSeries([key], ToLookup(segment), buckets, firstShown, width, zone, window, options));
            }
        }

        return response;
    }

    private static Dictionary<DateOnly, BucketCounts> ToLookup(IEnumerable<CountRow> rows) =>
        rows.ToDictionary(r => r.Bucket!.Value, r => new BucketCounts(r.Counts, r.Weights));

    private static NpsSeries BuildSeries(
        GroupKey[] keys,
        Dictionary<DateOnly, BucketCounts> counts,
        IReadOnlyList<DateOnly> buckets,
        int firstShown,
        DomainBucketWidth width,
        TimeZoneInfo zone,
        int window,
        StatisticsOptions options)
    {
        var series = new NpsSeries { Keys = { keys } };
        var all = buckets.Select(b => counts.GetValueOrDefault(b) ?? new BucketCounts(default, default)).ToList();
        var changes = new List<NpsChange>();
        NpsEstimate? previous = null;

        for (int i = firstShown; i < buckets.Count; i++)
        {
            var estimate = StatisticsBuilder.Estimate(all[i].Counts, all[i].Weights, options);
            var point = new TrendPoint
            {
                Label = TimeBuckets.Label(buckets[i], width),
                StartTime = Timestamp.FromDateTime(TimeBuckets.StartOfLocalDateUtc(buckets[i], zone)),
                EndTime = Timestamp.FromDateTime(TimeBuckets.StartOfLocalDateUtc(TimeBuckets.NextBucketStart(buckets[i], width), zone)),
                Statistics = StatisticsBuilder.ToMessage(estimate, all[i].Weights, options),
            };

            if (window > 1)
            {
                // Rolling figures add the counts of the window's buckets, never their NPS values.
                var sum = all.Skip(i - window + 1).Take(window).Aggregate(
                    new BucketCounts(default, default),
                    (total, next) => new BucketCounts(total.Counts + next.Counts, Add(total.Weights, next.Weights)));
                point.RollingStatistics = StatisticsBuilder.Build(sum.Counts, sum.Weights, options);
            }

            if (previous is not null && StatisticsBuilder.Difference(estimate, previous) is { } change)
            {
                point.ChangeFromPrevious = change;
                changes.Add(change);
            }

            previous = estimate;
            series.Points.Add(point);
        }

        StatisticsBuilder.AdjustForFalseDiscoveryRate(changes);
        return series;
    }

    private static WeightedNpsCounts Add(WeightedNpsCounts left, WeightedNpsCounts right) => new(
        left.PromoterWeight + right.PromoterWeight,
        left.PassiveWeight + right.PassiveWeight,
        left.DetractorWeight + right.DetractorWeight,
        left.SumOfSquaredWeights + right.SumOfSquaredWeights);

    private static List<DateOnly> ListBuckets(
        DateTime start, DateTime end, DomainBucketWidth width, TimeZoneInfo zone, int extraBefore, out int firstShown)
    {
        var first = TimeBuckets.BucketStart(TimeBuckets.LocalDate(start, zone), width);
        var last = TimeBuckets.BucketStart(TimeBuckets.LocalDate(end.AddTicks(-1), zone), width);
        var buckets = new List<DateOnly>();
        for (var bucket = first; bucket <= last; bucket = TimeBuckets.NextBucketStart(bucket, width))
        {
            if (buckets.Count == MaxBuckets)
            {
                throw RpcErrors.InvalidArgument(
                    "end_time", $"The range spans more than {MaxBuckets} buckets of this width; shorten it or use wider buckets");
            }

            buckets.Add(bucket);
        }

        // Buckets before the range feed the rolling window of the first buckets shown.
        var before = new List<DateOnly>();
        var earlier = first;
        for (int i = 0; i < extraBefore; i++)
        {
            earlier = PreviousBucketStart(earlier, width);
            before.Insert(0, earlier);
        }

        firstShown = before.Count;
        return [.. before, .. buckets];
    }

    private static DateOnly PreviousBucketStart(DateOnly start, DomainBucketWidth width) => width switch
    {
        DomainBucketWidth.Day => start.AddDays(-1),
        DomainBucketWidth.IsoWeek => start.AddDays(-7),
        DomainBucketWidth.Month => start.AddMonths(-1),
        DomainBucketWidth.Quarter => start.AddMonths(-3),
        _ => start.AddYears(-1),
    };

    private static DomainBucketWidth ReadWidth(V1.BucketWidth width) => width switch
    {
        V1.BucketWidth.Day => DomainBucketWidth.Day,
        V1.BucketWidth.IsoWeek => DomainBucketWidth.IsoWeek,
        V1.BucketWidth.Month => DomainBucketWidth.Month,
        V1.BucketWidth.Quarter => DomainBucketWidth.Quarter,
        V1.BucketWidth.Year => DomainBucketWidth.Year,
        _ => throw RpcErrors.InvalidArgument("bucket_width", "bucket_width is required: DAY, ISO_WEEK, MONTH, QUARTER or YEAR"),
    };

    private static string DateTruncUnit(DomainBucketWidth width) => width switch
    {
        DomainBucketWidth.Day => "day",
        DomainBucketWidth.IsoWeek => "week",
        DomainBucketWidth.Month => "month",
        DomainBucketWidth.Quarter => "quarter",
        _ => "year",
    };

    private static TimeZoneInfo ReadZone(string zoneId)
    {
        try
        {
            return TimeBuckets.FindZone(zoneId);
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw RpcErrors.InvalidArgument("time_zone", $"time_zone '{Identifiers.Shorten(zoneId)}' is not a known IANA time zone id, such as Europe/Berlin");
        }
    }
}

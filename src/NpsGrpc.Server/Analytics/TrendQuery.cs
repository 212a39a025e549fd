using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Domain.Time;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;
using DomainBucketWidth = NpsGrpc.Domain.Time.BucketWidth;

namespace NpsGrpc.Server.Analytics;

/// <summary>NPS per time bucket in an IANA time zone, with rolling windows and bucket-to-bucket changes.</summary>
public sealed class TrendQuery(QueryRequestParser parser, ResponseCounter counter, CohortResolver cohorts)
{
    /// <summary>Maximum buckets per series.</summary>
    public const int MaxBuckets = 5000;

    /// <summary>Maximum rolling window, in buckets.</summary>
    public const int MaxRollingWindow = 366;

    /// <summary>Counts and weight sums of one bucket.</summary>
    internal sealed record BucketCounts(NpsCounts Counts, WeightedNpsCounts Weights);

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

        CohortResolver.CheckNames(request.CohortFilters, "cohort_filters");
        CohortResolver.CheckNames(request.SegmentByCohorts, "segment_by_cohorts");

        var buckets = ListBuckets(start, end, width, zone, window - 1, out int firstShown);
        var surveys = await parser.ReadSurveysAsync(request.SurveyId, request.SurveyIds, cancellationToken);
        filters = await cohorts.AddFiltersAsync(filters, request.CohortFilters, "cohort_filters", cancellationToken);
        var seriesCohorts = await cohorts.ResolveAsync(request.SegmentByCohorts, "segment_by_cohorts", cancellationToken);

        var from = TimeBuckets.StartOfLocalDateUtc(buckets[0], zone);
        var to = TimeBuckets.StartOfLocalDateUtc(TimeBuckets.NextBucketStart(buckets[^1], width), zone);
        var intervals = buckets.Select(b => new BucketInterval(
            b, TimeBuckets.StartOfLocalDateUtc(b, zone), TimeBuckets.StartOfLocalDateUtc(TimeBuckets.NextBucketStart(b, width), zone)))
            .ToList();
        var bucketing = new TimeBucketing(DateTruncUnit(width), zoneId, intervals);
        // Per population (every response, then each cohort): its count, then its count by segment when segment_by is set.
        var populations = new List<(string Cohort, IReadOnlyList<AttributeFilter> Filters)> { (string.Empty, filters) };
        populations.AddRange(seriesCohorts.Select(c => (c.Name, (IReadOnlyList<AttributeFilter>)[.. filters, .. c.Filters])));
        var queries = new List<CountQuery>();
        foreach (var population in populations)
        {
            queries.Add(new CountQuery(surveys, from, to, population.Filters, [], bucketing, options.Weighted));
            if (segmentBy is not null)
            {
                queries.Add(new CountQuery(surveys, from, to, population.Filters, [segmentBy], bucketing, options.Weighted));
            }
        }

        var results = await counter.CountAsync(queries, cancellationToken);

        var response = new GetNpsTrendResponse { TimeZone = zoneId };
        int next = 0;
        foreach (var population in populations)
        {
            var series = BuildSeries([], ToLookup(results[next++]), buckets, firstShown, width, zone, window, options);
            series.Cohort = population.Cohort;
            response.Series.Add(series);
            if (segmentBy is not null)
            {
                AddSegmentSeries(
                    response, results[next++], request.SegmentBy!, population.Cohort, buckets, firstShown, width, zone, window, options);
            }
        }

        return response;
    }

    private static void AddSegmentSeries(
        GetNpsTrendResponse response,
        IReadOnlyList<CountRow> rows,
        AttributeRef segmentBy,
        string cohort,
        IReadOnlyList<DateOnly> buckets,
        int firstShown,
        DomainBucketWidth width,
        TimeZoneInfo zone,
        int window,
        StatisticsOptions options)
    {
        foreach (var segment in rows.GroupBy(r => r.GroupValues[0]).OrderBy(g => g.Key is null).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var key = new GroupKey { Key = segmentBy.Key, Scope = segmentBy.Scope };
            if (segment.Key is { } value)
            {
                key.Value = value;
            }

            var series = BuildSeries([key], ToLookup(segment), buckets, firstShown, width, zone, window, options);
            series.Cohort = cohort;
            response.Series.Add(series);
        }
    }

    private static Dictionary<DateOnly, BucketCounts> ToLookup(IEnumerable<CountRow> rows) =>
        rows.ToDictionary(r => r.Bucket!.Value, r => new BucketCounts(r.Counts, r.Weights));

    /// <summary>Builds the points of one series from its counts per bucket, from bucket <paramref name="firstShown"/> on.</summary>
    internal static NpsSeries BuildSeries(
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

    /// <summary>
    /// Lists the buckets that cover [start, end), preceded by <paramref name="extraBefore"/> earlier buckets, and throws
    /// INVALID_ARGUMENT on end_time when there are more than <paramref name="maxBuckets"/>.
    /// </summary>
    internal static List<DateOnly> ListBuckets(
        DateTime start, DateTime end, DomainBucketWidth width, TimeZoneInfo zone, int extraBefore, out int firstShown,
        int maxBuckets = MaxBuckets)
    {
        var first = TimeBuckets.BucketStart(TimeBuckets.LocalDate(start, zone), width);
        var last = TimeBuckets.BucketStart(TimeBuckets.LocalDate(end.AddTicks(-1), zone), width);
        var buckets = new List<DateOnly>();
        for (var bucket = first; bucket <= last; bucket = TimeBuckets.NextBucketStart(bucket, width))
        {
            if (buckets.Count == maxBuckets)
            {
                throw RpcErrors.InvalidArgument(
                    "end_time", $"The range spans more than {maxBuckets} buckets of this width; shorten it or use wider buckets");
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

    /// <summary>Converts a bucket width, throwing INVALID_ARGUMENT on <paramref name="field"/> when it is unspecified.</summary>
    internal static DomainBucketWidth ReadWidth(V1.BucketWidth width, string field = "bucket_width") => width switch
    {
        V1.BucketWidth.Day => DomainBucketWidth.Day,
        V1.BucketWidth.IsoWeek => DomainBucketWidth.IsoWeek,
        V1.BucketWidth.Month => DomainBucketWidth.Month,
        V1.BucketWidth.Quarter => DomainBucketWidth.Quarter,
        V1.BucketWidth.Year => DomainBucketWidth.Year,
        _ => throw RpcErrors.InvalidArgument(field, $"{field} is required: DAY, ISO_WEEK, MONTH, QUARTER or YEAR"),
    };

    /// <summary>Returns PostgreSQL's date_trunc unit for a bucket width.</summary>
    internal static string DateTruncUnit(DomainBucketWidth width) => width switch
    {
        DomainBucketWidth.Day => "day",
        DomainBucketWidth.IsoWeek => "week",
        DomainBucketWidth.Month => "month",
        DomainBucketWidth.Quarter => "quarter",
        _ => "year",
    };

    /// <summary>Finds an IANA time zone, throwing INVALID_ARGUMENT on time_zone when it is unknown.</summary>
    internal static TimeZoneInfo ReadZone(string zoneId)
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

using NpsGrpc.Domain.Scoring;
using NpsGrpc.Domain.Time;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;
using DomainBucketWidth = NpsGrpc.Domain.Time.BucketWidth;

namespace NpsGrpc.Server.Analytics;

/// <summary>
/// Time-based cohorts: customers grouped by the calendar period of a date attribute or of their first response, with
/// each cohort's NPS per period of responses. The counts come from the usual count path grouped by the date value,
/// so the dates are parsed here and a bad value is counted and left out instead of failing the query.
/// </summary>
public sealed class CohortMatrixQuery(QueryRequestParser parser, ResponseCounter counter, CohortResolver cohorts)
{
    /// <summary>Maximum periods of responses.</summary>
    public const int MaxPeriods = 1000;

    /// <summary>Maximum cohorts in a response.</summary>
    public const int MaxCohorts = 1000;

    /// <summary>Maximum invalid values quoted in a response.</summary>
    public const int MaxInvalidExamples = 5;

    private sealed class CohortCells
    {
        public Dictionary<DateOnly, TrendQuery.BucketCounts> Periods { get; } = [];
    }

    /// <summary>Runs a GetCohortMatrix request.</summary>
    public async Task<GetCohortMatrixResponse> RunAsync(GetCohortMatrixRequest request, CancellationToken cancellationToken)
    {
        (DateTime start, DateTime end) = QueryRequestParser.ReadRequiredRange(request.StartTime, request.EndTime, "");
        GroupingAttribute? dateAttribute = ReadSource(request);
        var cohortWidth = TrendQuery.ReadWidth(request.CohortWidth, "cohort_width");
        var periodWidth = TrendQuery.ReadWidth(request.PeriodWidth, "period_width");
        string zoneId = request.TimeZone.Length == 0 ? "UTC" : request.TimeZone;
        var zone = TrendQuery.ReadZone(zoneId);
        var options = QueryRequestParser.ReadOptions(
            request.ConfidenceLevel, request.IntervalMethod, request.MinSampleSize, request.Weighted);
        var filters = QueryRequestParser.ReadFilters(request.Filters);
        CohortResolver.CheckNames(request.CohortFilters, "cohort_filters");

        var periods = TrendQuery.ListBuckets(start, end, periodWidth, zone, 0, out _, MaxPeriods);
        var surveys = await parser.ReadSurveysAsync(request.SurveyId, request.SurveyIds, cancellationToken);
        filters = await cohorts.AddFiltersAsync(filters, request.CohortFilters, "cohort_filters", cancellationToken);

        var from = TimeBuckets.StartOfLocalDateUtc(periods[0], zone);
        var to = TimeBuckets.StartOfLocalDateUtc(TimeBuckets.NextBucketStart(periods[^1], periodWidth), zone);
        var intervals = periods
            .Select(p => new BucketInterval(
                p,
                TimeBuckets.StartOfLocalDateUtc(p, zone),
                TimeBuckets.StartOfLocalDateUtc(TimeBuckets.NextBucketStart(p, periodWidth), zone)))
            .ToList();
        var bucketing = new TimeBucketing(TrendQuery.DateTruncUnit(periodWidth), zoneId, intervals);

        IReadOnlyList<CountRow> rows;
        if (dateAttribute is null)
        {
            var query = new CountQuery(surveys, from, to, filters, [], bucketing, options.Weighted);
            rows = await counter.CountByFirstResponseAsync(query, cancellationToken);
        }
        else
        {
            var query = new CountQuery(surveys, from, to, filters, [dateAttribute], bucketing, options.Weighted);
            rows = (await counter.CountAsync([query], cancellationToken))[0];
        }

        var response = new GetCohortMatrixResponse { TimeZone = zoneId };
        var cells = Assign(rows, cohortWidth, zone, response);
        if (cells.Count > MaxCohorts)
        {
            throw RpcErrors.InvalidArgument(
                "cohort_width", $"The responses fall in {cells.Count} cohorts of this width; the maximum is {MaxCohorts}. " +
                                "Use a wider cohort_width or narrow the query with filters.");
        }

        var total = new TrendQuery.BucketCounts(default, default);
        foreach (var (cohortStart, cohort) in cells.OrderBy(c => c.Key))
        {
            var series = TrendQuery.BuildSeries([], cohort.Periods, periods, 0, periodWidth, zone, 1, options);
            var sum = cohort.Periods.Values.Aggregate(new TrendQuery.BucketCounts(default, default), Add);
            total = Add(total, sum);
            response.Cohorts.Add(new TimeCohort
            {
                Label = TimeBuckets.Label(cohortStart, cohortWidth),
                FirstDate = TimeBuckets.Label(cohortStart, DomainBucketWidth.Day),
                Overall = StatisticsBuilder.Build(sum.Counts, sum.Weights, options),
                Points = { series.Points },
            });
        }

        response.Overall = StatisticsBuilder.Build(total.Counts, total.Weights, options);
        return response;
    }

    private static GroupingAttribute? ReadSource(GetCohortMatrixRequest request)
    {
        switch (request.CohortSource)
        {
            case CohortSource.DateAttribute:
                if (request.DateAttribute is null)
                {
                    throw RpcErrors.InvalidArgument(
                        "date_attribute", "date_attribute is required when cohort_source is COHORT_SOURCE_DATE_ATTRIBUTE");
                }

                return QueryRequestParser.ReadAttribute(request.DateAttribute, "date_attribute");
            case CohortSource.FirstResponse:
                if (request.DateAttribute is not null)
                {
                    throw RpcErrors.InvalidArgument(
                        "date_attribute", "date_attribute must be unset when cohort_source is COHORT_SOURCE_FIRST_RESPONSE");
                }

                return null;
            default:
                throw RpcErrors.InvalidArgument(
                    "cohort_source", "cohort_source is required: COHORT_SOURCE_DATE_ATTRIBUTE or COHORT_SOURCE_FIRST_RESPONSE");
        }
    }

    /// <summary>
    /// Adds each row's counts to the cell of its cohort and period, and counts the rows whose date is missing or
    /// invalid in <paramref name="response"/>.
    /// </summary>
    private static Dictionary<DateOnly, CohortCells> Assign(
        IReadOnlyList<CountRow> rows, DomainBucketWidth cohortWidth, TimeZoneInfo zone, GetCohortMatrixResponse response)
    {
        var cells = new Dictionary<DateOnly, CohortCells>();
        foreach (var row in rows)
        {
            string? value = row.GroupValues[0];
            if (value is null)
            {
                response.MissingDateCount += row.Counts.N;
                continue;
            }

            if (DateAttribute.Parse(value, zone) is not { } date)
            {
                response.InvalidDateCount += row.Counts.N;
                if (response.InvalidDateExamples.Count < MaxInvalidExamples && !response.InvalidDateExamples.Contains(value))
                {
                    response.InvalidDateExamples.Add(value);
                }

                continue;
            }

            var cohortStart = TimeBuckets.BucketStart(date, cohortWidth);
            if (!cells.TryGetValue(cohortStart, out var cohort))
            {
                cohort = new CohortCells();
                cells.Add(cohortStart, cohort);
            }

            // Several date values of one cohort (days of one month) add up in the same cell.
            var counts = new TrendQuery.BucketCounts(row.Counts, row.Weights);
            var period = row.Bucket!.Value;
            cohort.Periods[period] = cohort.Periods.TryGetValue(period, out var existing) ? Add(existing, counts) : counts;
        }

        return cells;
    }

    private static TrendQuery.BucketCounts Add(TrendQuery.BucketCounts left, TrendQuery.BucketCounts right) => new(
        left.Counts + right.Counts,
        new WeightedNpsCounts(
            left.Weights.PromoterWeight + right.Weights.PromoterWeight,
            left.Weights.PassiveWeight + right.Weights.PassiveWeight,
            left.Weights.DetractorWeight + right.Weights.DetractorWeight,
            left.Weights.SumOfSquaredWeights + right.Weights.SumOfSquaredWeights));
}

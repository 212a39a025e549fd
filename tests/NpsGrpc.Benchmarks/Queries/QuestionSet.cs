using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>The four timed questions of the query benchmark.</summary>
public static class QuestionSet
{
    /// <summary>Time zone of the weekly series.</summary>
    public const string TimeZone = "Europe/Berlin";

    /// <summary>Length of the recent range of the region x plan question.</summary>
    public static readonly TimeSpan RecentRange = TimeSpan.FromDays(90);

    // Category counts and NPS from the counts. DuckDB's sum of an integer is a HUGEINT, hence the casts.
    private const string Counts =
        "sum(CASE WHEN score >= 9 THEN 1 ELSE 0 END)::BIGINT AS promoters, " +
        "sum(CASE WHEN score BETWEEN 7 AND 8 THEN 1 ELSE 0 END)::BIGINT AS passives, " +
        "sum(CASE WHEN score <= 6 THEN 1 ELSE 0 END)::BIGINT AS detractors";

    private const string Nps = "100.0 * (promoters - detractors) / (promoters + passives + detractors) AS nps";

    /// <summary>Builds the questions.</summary>
    /// <param name="surveyId">The survey that contains the loaded responses.</param>
    /// <param name="windowStart">Start of the responded_at window of the data.</param>
    /// <param name="windowEnd">Exclusive end of the responded_at window of the data.</param>
    /// <param name="lastInstant">Latest responded_at in the data; the recent range ends with it.</param>
    public static IReadOnlyList<NpsQuestion> Create(
        string surveyId, DateTime windowStart, DateTime windowEnd, DateTime lastInstant)
    {
        DateTime recentStart = lastInstant - RecentRange;
        string survey = $"survey_id = '{surveyId}'";
        return
        [
            new NpsQuestion(
                "overall NPS",
                async (client, token) => ServerCounts.FromNps(
                    await client.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId }, cancellationToken: token)),
                $"SELECT *, {Nps} FROM (SELECT {Counts} FROM responses WHERE {survey})",
                SumGroupsAsOverall: false),
            new NpsQuestion(
                "NPS by region",
                async (client, token) => ServerCounts.FromNps(
                    await client.GetNpsAsync(ByAttributes(surveyId, null, "region"), cancellationToken: token)),
                $"SELECT *, {Nps} FROM (SELECT region, {Counts} FROM responses WHERE {survey} GROUP BY region) " +
                "ORDER BY region",
                SumGroupsAsOverall: true),
            new NpsQuestion(
                "region x plan, last 90 days",
                async (client, token) => ServerCounts.FromNps(await client.GetNpsAsync(
                    ByAttributes(surveyId, recentStart, "region", "plan"), cancellationToken: token)),
                $"SELECT *, {Nps} FROM (SELECT region, plan, {Counts} FROM responses " +
                $"WHERE {survey} AND responded_at >= {Literal(recentStart)} GROUP BY region, plan) " +
                "ORDER BY region, plan",
                SumGroupsAsOverall: true),
            new NpsQuestion(
                $"weekly series, {TimeZone}",
                async (client, token) => ServerCounts.FromWeeklyTrend(await client.GetNpsTrendAsync(
                    WeeklyTrend(surveyId, windowStart, windowEnd), cancellationToken: token)),
                // timezone(zone, timestamptz) gives the local wall-clock time in the zone (ICU), and date_trunc
                // 'week' goes back to its Monday, as the server's ISO week buckets do.
                $"SELECT strftime(week, '%Y-%m-%d') AS week, promoters, passives, detractors, {Nps} FROM (" +
                $"SELECT date_trunc('week', timezone('{TimeZone}', responded_at)) AS week, {Counts} " +
                $"FROM responses WHERE {survey} AND responded_at >= {Literal(windowStart)} " +
                $"AND responded_at < {Literal(windowEnd)} GROUP BY 1) ORDER BY 1",
                SumGroupsAsOverall: false),
        ];
    }

    private static GetNpsRequest ByAttributes(string surveyId, DateTime? start, params string[] keys)
    {
        var request = new GetNpsRequest { SurveyId = surveyId };
        if (start is { } from)
        {
            request.StartTime = Timestamp.FromDateTime(from);
        }

        foreach (string key in keys)
        {
            request.GroupBy.Add(new AttributeRef { Key = key, Scope = AttributeScope.Response });
        }

        return request;
    }

    private static GetNpsTrendRequest WeeklyTrend(string surveyId, DateTime start, DateTime end) => new()
    {
        SurveyId = surveyId,
        StartTime = Timestamp.FromDateTime(start),
        EndTime = Timestamp.FromDateTime(end),
        BucketWidth = BucketWidth.IsoWeek,
        TimeZone = TimeZone,
    };

    private static string Literal(DateTime utc) =>
        $"TIMESTAMPTZ '{utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'";
}

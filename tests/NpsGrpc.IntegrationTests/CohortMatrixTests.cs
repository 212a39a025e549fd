using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.CohortTestData;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

/// <summary>GetCohortMatrix by a sign-up date attribute and by first response, checked against the raw rows.</summary>
[Collection(ServerCollection.Name)]
public sealed class CohortMatrixTests(ServerFixture fixture)
{
    // The first day of the signup month of each valid value CohortTestData uses, worked out by hand.
    private static readonly Dictionary<string, DateOnly> SignupMonths = new()
    {
        ["2025-11-20"] = new DateOnly(2025, 11, 1),
        ["2025-11-03T10:00:00Z"] = new DateOnly(2025, 11, 1),
        ["2025-12-31"] = new DateOnly(2025, 12, 1),
        ["2026-01-15"] = new DateOnly(2026, 1, 1),
        ["2026-02-01"] = new DateOnly(2026, 2, 1),
    };

    private static readonly string[] InvalidSignups = ["bad-date", "2025-02-30"];

    private RunningServer Server => fixture.Server;

    private static GetCohortMatrixRequest SignupRequest(string surveyId, BucketWidth cohortWidth) => new()
    {
        SurveyId = surveyId,
        StartTime = Timestamp.FromDateTime(Start),
        EndTime = Timestamp.FromDateTime(Start.AddMonths(3)),
        CohortSource = CohortSource.DateAttribute,
        DateAttribute = new AttributeRef { Key = "signup", Scope = AttributeScope.Customer },
        CohortWidth = cohortWidth,
        PeriodWidth = BucketWidth.Month,
    };

    private static string? Signup(CohortTestData data, RawResponse response) =>
        data.Customers[response.CustomerId].TryGetValue("signup", out var values) ? values[0] : null;

    [Fact]
    public async Task GetCohortMatrix_SignupMonth_MatchesRawRows()
    {
        var data = await CohortTestData.CreateAsync(Server, seed: 11);

        var response = await Server.Cohorts.GetCohortMatrixAsync(SignupRequest(data.SurveyId, BucketWidth.Month));

        var dated = data.Responses.Where(r => Signup(data, r) is { } s && SignupMonths.ContainsKey(s)).ToList();
        var expectedCohorts = dated.Select(r => SignupMonths[Signup(data, r)!]).Distinct().Order().ToList();
        Assert.Equal(expectedCohorts.Select(m => m.ToString("yyyy-MM")), response.Cohorts.Select(c => c.Label));
        Assert.Equal(expectedCohorts.Select(m => m.ToString("yyyy-MM-dd")), response.Cohorts.Select(c => c.FirstDate));
        foreach (var cohort in response.Cohorts)
        {
            var members = dated.Where(r => SignupMonths[Signup(data, r)!].ToString("yyyy-MM") == cohort.Label).ToList();
            AssertMatches(members, cohort.Overall);
            Assert.Equal(["2026-01", "2026-02", "2026-03"], cohort.Points.Select(p => p.Label));
            for (int m = 0; m < 3; m++)
            {
                var month = Start.AddMonths(m);
                var inMonth = members.Where(r => r.RespondedAt >= month && r.RespondedAt < month.AddMonths(1)).ToList();
                var statistics = cohort.Points[m].Statistics;
                AssertMatches(inMonth, statistics);
                Assert.Equal(inMonth.Count < 30, statistics.InsufficientSample);
                Assert.Equal(inMonth.Count > 0, statistics.ConfidenceInterval is not null);
            }
        }

        AssertMatches(dated, response.Overall);
        Assert.Equal(data.Responses.Count(r => Signup(data, r) is null), response.MissingDateCount);
        var invalid = data.Responses.Where(r => InvalidSignups.Contains(Signup(data, r))).ToList();
        Assert.True(invalid.Count > 0);
        Assert.Equal(invalid.Count, response.InvalidDateCount);
        Assert.Equal(invalid.Select(r => Signup(data, r)).Distinct().Order(), response.InvalidDateExamples.Order());
        Assert.Equal(data.Responses.Count, dated.Count + response.MissingDateCount + response.InvalidDateCount);
    }

    [Fact]
    public async Task GetCohortMatrix_SignupYear_GroupsMonths()
    {
        var data = await CohortTestData.CreateAsync(Server, seed: 12);

        var response = await Server.Cohorts.GetCohortMatrixAsync(SignupRequest(data.SurveyId, BucketWidth.Year));

        Assert.Equal(["2025", "2026"], response.Cohorts.Select(c => c.Label));
        var dated = data.Responses.Where(r => Signup(data, r) is { } s && SignupMonths.ContainsKey(s)).ToList();
        AssertMatches(dated.Where(r => SignupMonths[Signup(data, r)!].Year == 2025), response.Cohorts[0].Overall);
        AssertMatches(dated.Where(r => SignupMonths[Signup(data, r)!].Year == 2026), response.Cohorts[1].Overall);
    }

    [Fact]
    public async Task GetCohortMatrix_FirstResponseCohorts()
    {
        string surveyId = await Server.CreateSurveyAsync();
        string otherSurvey = await Server.CreateSurveyAsync();
        string prefix = $"c{Guid.NewGuid():N}"[..13];
        (string early, string january, string february) = ($"{prefix}-a", $"{prefix}-b", $"{prefix}-c");
        var december = new DateTime(2025, 12, 10, 12, 0, 0, DateTimeKind.Utc);
        var jan = new DateTime(2026, 1, 20, 12, 0, 0, DateTimeKind.Utc);
        var feb = new DateTime(2026, 2, 5, 12, 0, 0, DateTimeKind.Utc);
        var mar = new DateTime(2026, 3, 5, 12, 0, 0, DateTimeKind.Utc);
        SurveyResponse At(string id, string customer, int score, DateTime at) =>
            new() { ResponseId = id, CustomerId = customer, Score = score, RespondedAt = Timestamp.FromDateTime(at) };

        // early first responded before the range, so its responses in the range belong to December 2025. The
        // response of january in another survey is earlier still but is not in the queried surveys.
        await StreamAsync(Server.Ingest, Batch(surveyId, "b",
        [
            At("1", early, 10, december), At("2", early, 3, jan), At("3", early, 9, mar),
            At("4", january, 10, jan), At("5", january, 10, feb), At("6", january, 7, mar),
            At("7", february, 0, feb), At("8", february, 9, feb),
        ]));
        await StreamAsync(Server.Ingest, Batch(otherSurvey, "b", [At("9", january, 2, december.AddMonths(-1))]));

        var response = await Server.Cohorts.GetCohortMatrixAsync(new GetCohortMatrixRequest
        {
            SurveyId = surveyId,
            StartTime = Timestamp.FromDateTime(Start),
            EndTime = Timestamp.FromDateTime(Start.AddMonths(3)),
            CohortSource = CohortSource.FirstResponse,
            CohortWidth = BucketWidth.Month,
            PeriodWidth = BucketWidth.Month,
        });

        Assert.Equal(["2025-12", "2026-01", "2026-02"], response.Cohorts.Select(c => c.Label));
        long[][] counts = [[1, 0, 1], [1, 1, 1], [0, 2, 0]];
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(counts[c], response.Cohorts[c].Points.Select(p => p.Statistics.ResponseCount));
        }

        // December 2025: a detractor in January and a promoter in March, so 0 overall.
        Assert.Equal(0, response.Cohorts[0].Overall.Nps, 9);
        Assert.Equal(100.0 * (2 - 0) / 3, response.Cohorts[1].Overall.Nps, 9);
        Assert.Equal(0, response.Cohorts[2].Overall.Nps, 9);
        Assert.Equal(7, response.Overall.ResponseCount);
        Assert.Equal(0, response.MissingDateCount);
        Assert.Equal(0, response.InvalidDateCount);
    }

    public static TheoryData<string, Action<GetCohortMatrixRequest>> InvalidRequests() => new()
    {
        { "start_time", r => r.StartTime = null },
        { "end_time", r => r.EndTime = r.StartTime },
        { "cohort_source", r => r.CohortSource = CohortSource.Unspecified },
        { "date_attribute", r => r.DateAttribute = null },
        { "date_attribute", r => r.CohortSource = CohortSource.FirstResponse },
        { "date_attribute.key", r => r.DateAttribute.Key = "sign-up" },
        { "date_attribute.scope", r => r.DateAttribute.Scope = AttributeScope.Unspecified },
        { "cohort_width", r => r.CohortWidth = BucketWidth.Unspecified },
        { "period_width", r => r.PeriodWidth = BucketWidth.Unspecified },
        { "time_zone", r => r.TimeZone = "Mars/Olympus" },
        { "end_time", r => (r.PeriodWidth, r.EndTime) = (BucketWidth.Day, Timestamp.FromDateTime(Start.AddDays(1001))) },
        { "confidence_level", r => r.ConfidenceLevel = 1.5 },
        { "filters[0].operator", r => r.Filters.Add(new AttributeCondition { Key = "plan", Scope = AttributeScope.Customer }) },
        { "cohort_filters[0]", r => r.CohortFilters.Add("No") },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task GetCohortMatrix_InvalidField_InvalidArgument(string field, Action<GetCohortMatrixRequest> change)
    {
        string surveyId = await Server.CreateSurveyAsync();
        var request = SignupRequest(surveyId, BucketWidth.Month);
        change(request);

        var exception = await Assert.ThrowsAsync<RpcException>(() => Server.Cohorts.GetCohortMatrixAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal(field, BadRequestOf(exception)!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task GetCohortMatrix_UnknownSurvey_NotFound()
    {
        var request = SignupRequest($"missing-{Guid.NewGuid():N}"[..30], BucketWidth.Month);

        var exception = await Assert.ThrowsAsync<RpcException>(() => Server.Cohorts.GetCohortMatrixAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
    }
}

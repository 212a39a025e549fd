using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class TrendAndCompareTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private static SurveyResponse At(string id, int score, DateTimeOffset instant, string? channel = null)
    {
        var response = Make(id, score);
        response.RespondedAt = Timestamp.FromDateTimeOffset(instant);
        if (channel is not null)
        {
            response.Attributes["channel"] = channel;
        }

        return response;
    }

    private async Task<string> IngestAsync(params SurveyResponse[] responses)
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b", responses));
        return surveyId;
    }

    private static Timestamp Utc(int year, int month, int day) =>
        Timestamp.FromDateTime(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc));

    [Fact]
    public async Task GetNpsTrend_BerlinWeeksAcrossDst_SplitsAtLocalMonday()
    {
        string surveyId = await IngestAsync(
            At("w13", 10, DateTimeOffset.Parse("2026-03-29T00:30:00+01:00")),
            At("w14", 0, DateTimeOffset.Parse("2026-03-30T00:30:00+02:00")));

        var response = await Server.Query.GetNpsTrendAsync(new GetNpsTrendRequest
        {
            SurveyId = surveyId,
            StartTime = Utc(2026, 3, 20),
            EndTime = Utc(2026, 4, 3),
            BucketWidth = BucketWidth.IsoWeek,
            TimeZone = "Europe/Berlin",
        });

        var points = response.Series.Single().Points;
        Assert.Equal(["2026-W12", "2026-W13", "2026-W14"], points.Select(p => p.Label));
        Assert.Equal([0L, 1L, 1L], points.Select(p => p.Statistics.ResponseCount));
        Assert.Equal(100, points[1].Statistics.Nps);
        Assert.Equal(-100, points[2].Statistics.Nps);
        Assert.Equal(DateTime.Parse("2026-03-29T22:00:00Z").ToUniversalTime(), points[2].StartTime.ToDateTime());
        Assert.Equal(DateTime.Parse("2026-03-22T23:00:00Z").ToUniversalTime(), points[1].StartTime.ToDateTime());
    }

    [Fact]
    public async Task GetNpsTrend_NewYearsEve2024_IsInIsoWeek2025W01()
    {
        string surveyId = await IngestAsync(At("r1", 9, DateTimeOffset.Parse("2024-12-31T12:00:00Z")));

        var response = await Server.Query.GetNpsTrendAsync(new GetNpsTrendRequest
        {
            SurveyId = surveyId,
            StartTime = Utc(2024, 12, 31),
            EndTime = Utc(2025, 1, 1),
            BucketWidth = BucketWidth.IsoWeek,
        });

        var point = response.Series.Single().Points.Single();
        Assert.Equal("2025-W01", point.Label);
        Assert.Equal(1, point.Statistics.ResponseCount);
        Assert.Equal("UTC", response.TimeZone);
    }

    [Fact]
    public async Task GetNpsTrend_KolkataDays_UseHalfHourOffset()
    {
        string surveyId = await IngestAsync(
            At("before", 0, DateTimeOffset.Parse("2026-03-28T18:29:59Z")),
            At("after", 10, DateTimeOffset.Parse("2026-03-28T19:00:00Z")));

        var response = await Server.Query.GetNpsTrendAsync(new GetNpsTrendRequest
        {
            SurveyId = surveyId,
            StartTime = Utc(2026, 3, 28),
            EndTime = Utc(2026, 3, 29),
            BucketWidth = BucketWidth.Day,
            TimeZone = "Asia/Kolkata",
        });

        var points = response.Series.Single().Points;
        Assert.Equal(["2026-03-28", "2026-03-29"], points.Select(p => p.Label));
        Assert.Equal(-100, points[0].Statistics.Nps);
        Assert.Equal(100, points[1].Statistics.Nps);
        Assert.Equal(DateTime.Parse("2026-03-28T18:30:00Z").ToUniversalTime(), points[1].StartTime.ToDateTime());
    }

    [Fact]
    public async Task GetNpsTrend_RollingWindowAndChanges_ComputedFromCounts()
    {
        string surveyId = await IngestAsync(
            At("d0", 10, DateTimeOffset.Parse("2026-05-01T10:00:00Z")),
            At("d1a", 0, DateTimeOffset.Parse("2026-05-02T10:00:00Z")),
            At("d1b", 0, DateTimeOffset.Parse("2026-05-02T11:00:00Z")),
            At("d3", 10, DateTimeOffset.Parse("2026-05-04T10:00:00Z")));

        var response = await Server.Query.GetNpsTrendAsync(new GetNpsTrendRequest
        {
            SurveyId = surveyId,
            StartTime = Utc(2026, 5, 2),
            EndTime = Utc(2026, 5, 5),
            BucketWidth = BucketWidth.Day,
            RollingWindow = 2,
        });

        var points = response.Series.Single().Points;
        Assert.Equal(["2026-05-02", "2026-05-03", "2026-05-04"], points.Select(p => p.Label));
        Assert.Equal(100.0 * (1 - 2) / 3, points[0].RollingStatistics.Nps, 9);
        Assert.Equal(-100, points[1].RollingStatistics.Nps);
        Assert.Equal(0, points[1].Statistics.ResponseCount);
        Assert.False(points[1].Statistics.HasNps);
        Assert.Null(points[0].ChangeFromPrevious);
        Assert.Null(points[1].ChangeFromPrevious);
        Assert.Null(points[2].ChangeFromPrevious);
    }

    [Fact]
    public async Task GetNpsTrend_SegmentSeries_FollowOverall()
    {
        string surveyId = await IngestAsync(
            At("a", 10, DateTimeOffset.Parse("2026-01-10T10:00:00Z"), "web"),
            At("b", 0, DateTimeOffset.Parse("2026-02-10T10:00:00Z"), "email"),
            At("c", 8, DateTimeOffset.Parse("2026-02-11T10:00:00Z")));

        var response = await Server.Query.GetNpsTrendAsync(new GetNpsTrendRequest
        {
            SurveyId = surveyId,
            StartTime = Utc(2026, 1, 1),
            EndTime = Utc(2026, 3, 1),
            BucketWidth = BucketWidth.Month,
            SegmentBy = new AttributeRef { Key = "channel", Scope = AttributeScope.Response },
        });

        Assert.Equal(4, response.Series.Count);
        Assert.Empty(response.Series[0].Keys);
        Assert.Equal(["email", "web", null], response.Series.Skip(1).Select(s => s.Keys[0].HasValue ? s.Keys[0].Value : null));
        Assert.All(response.Series, s => Assert.Equal(["2026-01", "2026-02"], s.Points.Select(p => p.Label)));
        Assert.Equal([1L, 2L], response.Series[0].Points.Select(p => p.Statistics.ResponseCount));
        Assert.NotNull(response.Series[0].Points[1].ChangeFromPrevious);
        Assert.Equal(-150, response.Series[0].Points[1].ChangeFromPrevious.Difference, 9);
    }

    public static TheoryData<string, GetNpsTrendRequest, string> InvalidTrendRequests() => new()
    {
        { "no start", new GetNpsTrendRequest { EndTime = Utc(2026, 1, 2), BucketWidth = BucketWidth.Day }, "start_time" },
        { "no width", new GetNpsTrendRequest { StartTime = Utc(2026, 1, 1), EndTime = Utc(2026, 1, 2) }, "bucket_width" },
        { "bad zone", new GetNpsTrendRequest { StartTime = Utc(2026, 1, 1), EndTime = Utc(2026, 1, 2), BucketWidth = BucketWidth.Day, TimeZone = "Mars/Base" }, "time_zone" },
        { "too many buckets", new GetNpsTrendRequest { StartTime = Utc(2000, 1, 1), EndTime = Utc(2026, 1, 2), BucketWidth = BucketWidth.Day }, "end_time" },
        { "long zone", new GetNpsTrendRequest { StartTime = Utc(2026, 1, 1), EndTime = Utc(2026, 1, 2), BucketWidth = BucketWidth.Day, TimeZone = new string('x', 20000) }, "time_zone" },
        { "year 9999", new GetNpsTrendRequest { StartTime = Utc(9999, 6, 1), EndTime = Utc(9999, 12, 31), BucketWidth = BucketWidth.Year }, "start_time" },
        { "window", new GetNpsTrendRequest { StartTime = Utc(2026, 1, 1), EndTime = Utc(2026, 1, 2), BucketWidth = BucketWidth.Day, RollingWindow = 400 }, "rolling_window" },
    };

    [Theory]
    [MemberData(nameof(InvalidTrendRequests))]
    public async Task GetNpsTrend_InvalidRequest_NamesField(string scenario, GetNpsTrendRequest request, string field)
    {
        request.SurveyId = await Server.CreateSurveyAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Server.Query.GetNpsTrendAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, BadRequestOf(error)!.FieldViolations.Single().Field);
        Assert.True(error.Status.Detail.Length < 500, $"{scenario}: message of {error.Status.Detail.Length} characters");
    }

    [Fact]
    public async Task CompareNps_MixAndWithin_AddUpToChange()
    {
        // Baseline: web 2 x 10, email 2 x 0 (NPS 0). Current: web 3 x 10 and 1 x 0, email 1 x 0 (NPS 20).
        string surveyId = await IngestAsync(
            At("b1", 10, DateTimeOffset.Parse("2026-10-05T10:00:00Z"), "web"),
            At("b2", 10, DateTimeOffset.Parse("2026-10-06T10:00:00Z"), "web"),
            At("b3", 0, DateTimeOffset.Parse("2026-10-07T10:00:00Z"), "email"),
            At("b4", 0, DateTimeOffset.Parse("2026-10-08T10:00:00Z"), "email"),
            At("c1", 10, DateTimeOffset.Parse("2026-11-05T10:00:00Z"), "web"),
            At("c2", 10, DateTimeOffset.Parse("2026-11-06T10:00:00Z"), "web"),
            At("c3", 10, DateTimeOffset.Parse("2026-11-07T10:00:00Z"), "web"),
            At("c4", 0, DateTimeOffset.Parse("2026-11-08T10:00:00Z"), "web"),
            At("c5", 0, DateTimeOffset.Parse("2026-11-09T10:00:00Z"), "email"));

        var response = await Server.Query.CompareNpsAsync(new CompareNpsRequest
        {
            SurveyId = surveyId,
            Current = new TimeRange { StartTime = Utc(2026, 11, 1), EndTime = Utc(2026, 12, 1) },
            Baseline = new TimeRange { StartTime = Utc(2026, 10, 1), EndTime = Utc(2026, 11, 1) },
            DecomposeBy = new AttributeRef { Key = "channel", Scope = AttributeScope.Response },
        });

        Assert.Equal(20, response.Change.Difference, 9);
        var decomposition = response.Decomposition;
        var email = decomposition.Segments[0];
        var web = decomposition.Segments[1];
        Assert.Equal("email", email.Key.Value);
        Assert.Equal(0.2, email.CurrentShare, 12);
        Assert.Equal(0.5, email.BaselineShare, 12);
        Assert.Equal((0.2 - 0.5) * -100, email.MixEffect, 9);
        Assert.Equal((0.8 - 0.5) * 100, web.MixEffect, 9);
        Assert.Equal(0.8 * (50 - 100), web.WithinEffect, 9);
        Assert.Equal(0, email.WithinEffect, 9);
        Assert.Equal(20, decomposition.MixEffect + decomposition.WithinEffect, 9);
        Assert.Equal(0, decomposition.Residual, 9);
    }

    [Fact]
    public async Task CompareNps_UnanimousRanges_DecomposeWithoutTest()
    {
        string surveyId = await IngestAsync(
            At("b1", 10, DateTimeOffset.Parse("2026-10-05T10:00:00Z"), "web"),
            At("c1", 0, DateTimeOffset.Parse("2026-11-05T10:00:00Z"), "web"));

        var response = await Server.Query.CompareNpsAsync(new CompareNpsRequest
        {
            SurveyId = surveyId,
            Current = new TimeRange { StartTime = Utc(2026, 11, 1), EndTime = Utc(2026, 12, 1) },
            Baseline = new TimeRange { StartTime = Utc(2026, 10, 1), EndTime = Utc(2026, 11, 1) },
            DecomposeBy = new AttributeRef { Key = "channel", Scope = AttributeScope.Response },
        });

        Assert.Null(response.Change);
        Assert.Equal(-200, response.Decomposition.WithinEffect, 9);
        Assert.Equal(0, response.Decomposition.MixEffect, 9);
    }

    [Fact]
    public async Task CompareNps_EmptyBaseline_HasNoChange()
    {
        string surveyId = await IngestAsync(At("c1", 10, DateTimeOffset.Parse("2026-11-05T10:00:00Z")));

        var response = await Server.Query.CompareNpsAsync(new CompareNpsRequest
        {
            SurveyId = surveyId,
            Current = new TimeRange { StartTime = Utc(2026, 11, 1), EndTime = Utc(2026, 12, 1) },
            Baseline = new TimeRange { StartTime = Utc(2026, 10, 1), EndTime = Utc(2026, 11, 1) },
        });

        Assert.Null(response.Change);
        Assert.Equal(0, response.Baseline.ResponseCount);
        Assert.Equal(1, response.Current.ResponseCount);
    }

    [Fact]
    public async Task CompareNps_MissingBaseline_InvalidArgument()
    {
        string surveyId = await Server.CreateSurveyAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Server.Query.CompareNpsAsync(new CompareNpsRequest
        {
            SurveyId = surveyId,
            Current = new TimeRange { StartTime = Utc(2026, 11, 1), EndTime = Utc(2026, 12, 1) },
        }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("baseline", BadRequestOf(error)!.FieldViolations.Single().Field);
    }
}

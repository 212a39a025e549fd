using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class GoalTests(ServerFixture fixture)
{
    // The two-sided normal quantile of a 95 % interval.
    private const double Z95 = 1.959963984540054;

    private GoalService.GoalServiceClient Goals => new(fixture.Server.Channel);

    [Fact]
    public async Task Progress_LowerBoundAboveTarget_Met()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("gmet");
        var start = DateTime.UtcNow.AddDays(-2);
        int[] scores = [.. Enumerable.Repeat(10, 40), .. Enumerable.Repeat(8, 8), .. Enumerable.Repeat(3, 2)];
        await IngestAsync(surveyId, start.AddHours(1), scores);
        var goal = await CreateAsync(surveyId, target: 40, start, DateTime.UtcNow.AddDays(5));

        var progress = await Goals.GetGoalProgressAsync(new GetGoalProgressRequest { GoalId = goal.GoalId });

        var (nps, lower, upper) = Expected(scores);
        Assert.True(lower >= 40, $"the test data must put the lower bound {lower} above the target");
        Assert.Equal(GoalState.Met, progress.State);
        Assert.False(progress.PeriodEnded);
        Assert.Equal(scores.Length, progress.Statistics.ResponseCount);
        Assert.Equal(nps, progress.Statistics.Nps, 9);
        Assert.Equal(lower, progress.Statistics.ConfidenceInterval.Lower, 9);
        Assert.Equal(upper, progress.Statistics.ConfidenceInterval.Upper, 9);
    }

    [Fact]
    public async Task Progress_IntervalContainsTarget_Undecided()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("gund");
        var start = DateTime.UtcNow.AddDays(-2);
        int[] scores = [10, 9, 10, 8, 7, 5, 6, 9, 10];
        await IngestAsync(surveyId, start.AddHours(1), scores);
        var goal = await CreateAsync(surveyId, target: 30, start, DateTime.UtcNow.AddDays(5));

        var progress = await Goals.GetGoalProgressAsync(new GetGoalProgressRequest { GoalId = goal.GoalId });

        var (nps, lower, upper) = Expected(scores);
        Assert.True(lower < 30, $"the test data must put the lower bound {lower} under the target");
        Assert.True(upper >= 30, $"the test data must put the upper bound {upper} at or above the target");
        Assert.Equal(GoalState.Undecided, progress.State);
        Assert.Equal(100.0 * (5 - 2) / 9, progress.Statistics.Nps, 9);
        Assert.Equal(nps, progress.Statistics.Nps, 9);
    }

    [Fact]
    public async Task Progress_UpperBoundBelowTarget_Missed()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("gmiss");
        var start = DateTime.UtcNow.AddDays(-2);
        int[] scores = [.. Enumerable.Repeat(2, 30), .. Enumerable.Repeat(9, 10)];
        await IngestAsync(surveyId, start.AddHours(1), scores);
        var goal = await CreateAsync(surveyId, target: 20, start, DateTime.UtcNow.AddDays(5));

        var progress = await Goals.GetGoalProgressAsync(new GetGoalProgressRequest { GoalId = goal.GoalId });

        var (_, _, upper) = Expected(scores);
        Assert.True(upper < 20);
        Assert.Equal(GoalState.Missed, progress.State);
        Assert.False(progress.PeriodEnded);
        Assert.Equal(upper, progress.Statistics.ConfidenceInterval.Upper, 9);
    }

    [Fact]
    public async Task Progress_EndedUndecided_MissedAndSegmentOnly()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("gend");
        var start = DateTime.UtcNow.AddDays(-10);
        var end = DateTime.UtcNow.AddDays(-3);
        int[] web = [10, 9, 10, 8, 7, 5, 6, 9, 10];
        await IngestAsync(surveyId, start.AddHours(1), web, channel: "web");
        await IngestAsync(surveyId, start.AddHours(2), [0, 0, 0, 0], channel: "phone");
        await IngestAsync(surveyId, end.AddHours(1), [10, 10, 10, 10, 10, 10], channel: "web");
        var goal = await CreateAsync(surveyId, target: 30, start, end, new AttributeCondition
        {
            Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Equals, Values = { "web" },
        });

        var progress = await Goals.GetGoalProgressAsync(new GetGoalProgressRequest { GoalId = goal.GoalId });

        var (nps, lower, upper) = Expected(web);
        Assert.True(lower < 30);
        Assert.True(upper >= 30);
        Assert.Equal(GoalState.Missed, progress.State);
        Assert.True(progress.PeriodEnded);
        Assert.Equal(web.Length, progress.Statistics.ResponseCount);
        Assert.Equal(nps, progress.Statistics.Nps, 9);
        Assert.Equal(Timestamp.FromDateTime(end), progress.EvaluatedUntil);
    }

    [Fact]
    public async Task Progress_BeforeStart_NotStarted()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("gfut");
        var goal = await CreateAsync(surveyId, target: 10, DateTime.UtcNow.AddDays(1), DateTime.UtcNow.AddDays(8));

        var progress = await Goals.GetGoalProgressAsync(new GetGoalProgressRequest { GoalId = goal.GoalId });

        Assert.Equal(GoalState.NotStarted, progress.State);
        Assert.Equal(0, progress.Statistics.ResponseCount);
        Assert.False(progress.Statistics.HasNps);
    }

    [Fact]
    public async Task Goals_CreateListDelete_RoundTrip()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("glist");
        var first = await CreateAsync(surveyId, 10, DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(1));
        var second = await CreateAsync(surveyId, 20, DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(1));

        var page1 = await Goals.ListGoalsAsync(new ListGoalsRequest { SurveyId = surveyId, PageSize = 1 });
        var page2 = await Goals.ListGoalsAsync(new ListGoalsRequest { SurveyId = surveyId, PageSize = 1, PageToken = page1.NextPageToken });
        var fetched = (await Goals.GetGoalAsync(new GetGoalRequest { GoalId = first.GoalId })).Goal;
        await Goals.DeleteGoalAsync(new DeleteGoalRequest { GoalId = first.GoalId });
        var deleted = await Assert.ThrowsAsync<RpcException>(async () => await Goals.GetGoalAsync(new GetGoalRequest { GoalId = first.GoalId }));
        var duplicate = await Assert.ThrowsAsync<RpcException>(async () => await Goals.CreateGoalAsync(new CreateGoalRequest { Goal = second }));

        string[] expected = [first.GoalId, second.GoalId];
        Assert.Equal(expected.Order(), page1.Goals.Concat(page2.Goals).Select(g => g.GoalId));
        Assert.Empty(page2.NextPageToken);
        Assert.Equal(first, fetched);
        Assert.Equal(0.95, fetched.ConfidenceLevel);
        Assert.Equal(StatusCode.NotFound, deleted.StatusCode);
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
    }

    public static TheoryData<string, Goal> BadGoals() => new()
    {
        { "goal.goal_id", Valid(g => g.GoalId = "Bad Id") },
        { "goal.survey_id", Valid(g => g.SurveyId = "") },
        { "goal.target_nps", Valid(g => g.TargetNps = 101) },
        { "goal.target_nps", Valid(g => g.TargetNps = double.NaN) },
        { "goal.confidence_level", Valid(g => g.ConfidenceLevel = 1) },
        { "goal.start_time", Valid(g => g.StartTime = null) },
        { "goal.end_time", Valid(g => g.EndTime = g.StartTime) },
        { "goal.filters[0].operator", Valid(g => g.Filters.Add(new AttributeCondition { Key = "channel", Scope = AttributeScope.Response })) },
        { "goal.display_name", Valid(g => g.DisplayName = new string('n', 201)) },
        { "goal.cohort_filters[0]", Valid(g => g.CohortFilters.Add("Bad_Name")) },
        { "goal.cohort_filters[1]", Valid(g => g.CohortFilters.Add(["dup", "dup"])) },
        { "goal.cohort_filters", Valid(g => g.CohortFilters.Add(Enumerable.Range(0, 21).Select(i => $"c{i}"))) },
    };

    [Theory]
    [MemberData(nameof(BadGoals))]
    public async Task CreateGoal_BadField_InvalidArgument(string field, Goal goal)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Goals.CreateGoalAsync(new CreateGoalRequest { Goal = goal }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task CreateGoal_UnknownSurvey_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Goals.CreateGoalAsync(
            new CreateGoalRequest { Goal = Valid(g => g.SurveyId = $"missing-{Guid.NewGuid():N}"[..40]) }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task CreateGoal_UnknownCohort_NotFound()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("gnocohort");
        string missing = $"missing-{Guid.NewGuid():N}";

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Goals.CreateGoalAsync(
            new CreateGoalRequest { Goal = Valid(g => { g.SurveyId = surveyId; g.CohortFilters.Add(missing); }) }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.StartsWith($"goal.cohort_filters[0]: cohort '{missing}' does not exist", error.Status.Detail);
    }

    [Fact]
    public async Task Progress_Cohort_CountsCohortOnly()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("gcohort");
        var start = DateTime.UtcNow.AddDays(-2);
        int[] web = [.. Enumerable.Repeat(2, 20), .. Enumerable.Repeat(9, 5)];
        int[] app = [.. Enumerable.Repeat(10, 30), .. Enumerable.Repeat(8, 6), .. Enumerable.Repeat(4, 3)];
        await IngestAsync(surveyId, start.AddHours(1), web, "web");
        await IngestAsync(surveyId, start.AddHours(2), app, "app");
        string cohort = await CreateChannelCohortAsync("app");
        var goal = await CreateAsync(surveyId, target: 40, start, DateTime.UtcNow.AddDays(5), [cohort]);

        var progress = await Goals.GetGoalProgressAsync(new GetGoalProgressRequest { GoalId = goal.GoalId });

        var (nps, lower, upper) = Expected(app);
        Assert.Equal([cohort], progress.Goal.CohortFilters);
        Assert.Equal(app.Length, progress.Statistics.ResponseCount);
        Assert.Equal(app.Count(s => s >= 9), progress.Statistics.PromoterCount);
        Assert.Equal(app.Count(s => s <= 6), progress.Statistics.DetractorCount);
        Assert.Equal(nps, progress.Statistics.Nps, 9);
        Assert.Equal(lower, progress.Statistics.ConfidenceInterval.Lower, 9);
        Assert.Equal(upper, progress.Statistics.ConfidenceInterval.Upper, 9);
        Assert.Equal(GoalState.Met, progress.State);
    }

    [Fact]
    public async Task Progress_DeletedCohort_NotFound()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("gdeleted");
        var start = DateTime.UtcNow.AddDays(-2);
        await IngestAsync(surveyId, start.AddHours(1), [10, 9, 3], "app");
        string existing = await CreateChannelCohortAsync("app");
        string deleted = await CreateChannelCohortAsync("app");
        var goal = await CreateAsync(surveyId, target: 0, start, DateTime.UtcNow.AddDays(5), [existing, deleted]);
        await fixture.Server.Cohorts.DeleteCohortAsync(new DeleteCohortRequest { Name = deleted });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Goals.GetGoalProgressAsync(new GetGoalProgressRequest { GoalId = goal.GoalId }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.StartsWith($"goal.cohort_filters[1]: cohort '{deleted}' of goal '{goal.GoalId}'", error.Status.Detail);
    }

    // NPS and its 95 % adjusted Wald interval (Rocks 2016): 0.75 promoter, 1.5 passive and 0.75 detractor
    // pseudo-responses are added for the interval only, which is clamped to [-100, 100].
    private static (double Nps, double Lower, double Upper) Expected(int[] scores)
    {
        double promoters = scores.Count(s => s >= 9);
        double detractors = scores.Count(s => s <= 6);
        double n = scores.Length;
        double adjustedN = n + 3;
        double adjustedPromoters = (promoters + 0.75) / adjustedN;
        double adjustedDetractors = (detractors + 0.75) / adjustedN;
        double center = adjustedPromoters - adjustedDetractors;
        double variance = adjustedPromoters + adjustedDetractors - center * center;
        double halfWidth = Z95 * Math.Sqrt(variance / adjustedN);
        return (100 * (promoters - detractors) / n,
            Math.Max(-100, 100 * (center - halfWidth)),
            Math.Min(100, 100 * (center + halfWidth)));
    }

    private static Goal Valid(Action<Goal> change)
    {
        var goal = new Goal
        {
            GoalId = $"g-{Guid.NewGuid():N}",
            SurveyId = "any-survey",
            TargetNps = 30,
            StartTime = Timestamp.FromDateTime(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            EndTime = Timestamp.FromDateTime(new DateTime(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc)),
        };
        change(goal);
        return goal;
    }

    private async Task<Goal> CreateAsync(
        string surveyId, double target, DateTime start, DateTime end, params AttributeCondition[] filters) =>
        await CreateAsync(surveyId, target, start, end, [], filters);

    private async Task<Goal> CreateAsync(
        string surveyId, double target, DateTime start, DateTime end, string[] cohorts, params AttributeCondition[] filters)
    {
        var goal = new Goal
        {
            GoalId = $"g-{Guid.NewGuid():N}",
            SurveyId = surveyId,
            TargetNps = target,
            StartTime = Timestamp.FromDateTime(start),
            EndTime = Timestamp.FromDateTime(end),
        };
        goal.Filters.AddRange(filters);
        goal.CohortFilters.AddRange(cohorts);
        return (await Goals.CreateGoalAsync(new CreateGoalRequest { Goal = goal })).Goal;
    }

    /// <summary>Creates a cohort of the responses whose channel is <paramref name="channel"/>; returns its name.</summary>
    private async Task<string> CreateChannelCohortAsync(string channel)
    {
        string name = $"{channel}-{Guid.NewGuid():N}";
        var condition = new AttributeCondition
        {
            Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Equals, Values = { channel },
        };
        await fixture.Server.Cohorts.CreateCohortAsync(
            new CreateCohortRequest { Cohort = new Cohort { Name = name, Conditions = { condition } } });
        return name;
    }

    private async Task IngestAsync(string surveyId, DateTime respondedAt, int[] scores, string channel = "web")
    {
        var responses = scores.Select((score, i) =>
        {
            var response = new SurveyResponse
            {
                ResponseId = $"{channel}-{respondedAt.Ticks}-{i}",
                CustomerId = $"c-{i}",
                Score = score,
                RespondedAt = Timestamp.FromDateTime(respondedAt.AddSeconds(i)),
            };
            response.Attributes.Add("channel", channel);
            return response;
        });
        var result = await TestResponses.StreamAsync(fixture.Server.Ingest, TestResponses.Batch(surveyId, $"b-{Guid.NewGuid():N}", responses));
        Assert.Equal(scores.Length, result[0].AcceptedCount);
    }
}

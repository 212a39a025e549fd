using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class SegmentAnalyticsTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private static SurveyResponse With(SurveyResponse response, string key, string value)
    {
        response.Attributes[key] = value;
        return response;
    }

    private static AttributeRef Response(string key) => new() { Key = key, Scope = AttributeScope.Response };

    private static AttributeCondition Condition(string key, ConditionOperator op, params string[] values) =>
        new() { Key = key, Scope = AttributeScope.Response, Operator = op, Values = { values } };

    /// <summary>Ingests one response per score, each tagged with the region given in the same position.</summary>
    private async Task<string> IngestAsync(int[] scores, string[] regions)
    {
        string surveyId = await Server.CreateSurveyAsync();
        var responses = scores.Select((s, i) => With(Make($"r{i}", s, i), "region", regions[i]));
        await StreamAsync(Server.Ingest, Batch(surveyId, "b", responses));
        return surveyId;
    }

    [Fact]
    public async Task GetNps_CombinedGroups_ComputedFromCounts()
    {
        // {10} alone is +100 and {0,0,0} alone is -100; together they are 100 x (1 - 3) / 4 = -50, not the mean 0.
        string surveyId = await IngestAsync([10, 0, 0, 0], ["north", "south", "south", "south"]);

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = surveyId,
            Filters = { Condition("region", ConditionOperator.In, "north", "south") },
        });

        Assert.Equal(-50, response.Overall.Nps, 9);
    }

    [Theory]
    [InlineData(ConditionOperator.Equals, new[] { "north" }, 2)]
    [InlineData(ConditionOperator.NotEquals, new[] { "north" }, 3)]
    [InlineData(ConditionOperator.In, new[] { "north", "east" }, 3)]
    [InlineData(ConditionOperator.NotIn, new[] { "north", "east" }, 2)]
    [InlineData(ConditionOperator.Present, new string[0], 4)]
    [InlineData(ConditionOperator.Missing, new string[0], 1)]
    public async Task GetNps_FilterOperator_SelectsResponses(ConditionOperator op, string[] values, int expectedCount)
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b",
        [
            With(Make("r1", 10), "region", "north"), With(Make("r2", 9), "region", "north"),
            With(Make("r3", 5), "region", "east"), With(Make("r4", 7), "region", "west"), Make("r5", 3),
        ]));

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = surveyId,
            Filters = { Condition("region", op, values) },
        });

        Assert.Equal(expectedCount, response.Overall.ResponseCount);
    }

    [Fact]
    public async Task GetNps_SeveralSurveys_CountedTogether()
    {
        string first = await IngestAsync([10, 10], ["a", "a"]);
        string second = await IngestAsync([0], ["a"]);

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest { SurveyIds = { first, second } });

        Assert.Equal(3, response.Overall.ResponseCount);
        Assert.Equal(100.0 / 3, response.Overall.Nps, 9);
    }

    [Fact]
    public async Task GetNps_TwoGroupAttributes_CrossesValues()
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b",
        [
            With(With(Make("r1", 10), "region", "eu"), "plan", "pro"),
            With(With(Make("r2", 0), "region", "eu"), "plan", "basic"),
            With(With(Make("r3", 9), "region", "us"), "plan", "pro"),
        ]));

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = surveyId,
            GroupBy = { Response("region"), Response("plan") },
        });

        Assert.Equal(["eu/basic", "eu/pro", "us/pro"], response.Groups.Select(g => $"{g.Keys[0].Value}/{g.Keys[1].Value}"));
    }

    [Fact]
    public async Task GetNps_DifferenceFromOverall_MatchesComplementTest()
    {
        // Group a: 12 promoters, 5 passives, 3 detractors; the rest: 3, 5, 12. The independent reference gives
        // a difference of 90 between the two with standard error 23.398718 and p = 0.00012.
        var scores = Enumerable.Repeat(10, 12).Concat(Enumerable.Repeat(7, 5)).Concat(Enumerable.Repeat(0, 3))
            .Concat(Enumerable.Repeat(10, 3)).Concat(Enumerable.Repeat(7, 5)).Concat(Enumerable.Repeat(0, 12)).ToArray();
        var regions = Enumerable.Repeat("a", 20).Concat(Enumerable.Repeat("b", 20)).ToArray();
        string surveyId = await IngestAsync(scores, regions);

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId, GroupBy = { Response("region") } });

        var groupA = response.Groups[0].DifferenceFromOverall;
        Assert.Equal(45, groupA.Difference, 9);
        Assert.Equal(23.398718 / 2, groupA.StandardError, 5);
        Assert.Equal(0.00012, groupA.PValue, 5);
        Assert.Equal(-45, response.Groups[1].DifferenceFromOverall.Difference, 9);
        Assert.Equal(groupA.PValue, groupA.AdjustedPValue, 12);
    }

    [Fact]
    public async Task GetNps_ManyGroups_AdjustsPValues()
    {
        int[] scores = [10, 10, 10, 0, 0, 0, 9, 7, 3, 10, 8, 2];
        string[] regions = ["a", "a", "a", "b", "b", "b", "c", "c", "c", "d", "d", "d"];
        string surveyId = await IngestAsync(scores, regions);

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId, GroupBy = { Response("region") } });

        var raw = response.Groups.Select(g => g.DifferenceFromOverall.PValue).ToArray();
        var expected = NpsGrpc.Domain.Scoring.FalseDiscoveryRate.BenjaminiHochberg(raw);
        Assert.Equal(expected, response.Groups.Select(g => g.DifferenceFromOverall.AdjustedPValue));
        Assert.All(response.Groups, g => Assert.True(g.DifferenceFromOverall.AdjustedPValue >= g.DifferenceFromOverall.PValue));
    }

    [Fact]
    public async Task GetNps_OrderTopKAndPaging_CoverRankedGroups()
    {
        int[] scores = [10, 0, 9, 9, 0, 0, 8, 10, 10, 10];
        string[] regions = ["a", "a", "b", "b", "c", "c", "d", "e", "e", "e"];
        string surveyId = await IngestAsync(scores, regions);
        var request = new GetNpsRequest
        {
            SurveyId = surveyId,
            GroupBy = { Response("region") },
            OrderBy = GroupOrder.NpsDesc,
            TopK = 4,
            PageSize = 3,
        };

        var first = await Server.Query.GetNpsAsync(request);
        request.PageToken = first.NextPageToken;
        var second = await Server.Query.GetNpsAsync(request);

        Assert.Equal(4, first.TotalGroupCount);
        Assert.Equal(["b", "e", "a"], first.Groups.Select(g => g.Keys[0].Value));
        Assert.Equal(["d"], second.Groups.Select(g => g.Keys[0].Value));
        Assert.Equal("", second.NextPageToken);
    }

    [Fact]
    public async Task GetNps_Weighted_UsesWeightsAndKishN()
    {
        // The independent reference: these scores and weights give weighted NPS -15 with effective n 5.714286.
        int[] scores = [10, 9, 8, 7, 6, 0, 10, 3];
        double[] weights = [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 0.5, 1.0];
        string surveyId = await Server.CreateSurveyAsync();
        var responses = scores.Select((s, i) =>
        {
            var response = Make($"r{i}", s, i);
            response.Weight = weights[i];
            return response;
        });
        await StreamAsync(Server.Ingest, Batch(surveyId, "b", responses));

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId, Weighted = true });

        Assert.Equal(-15, response.Overall.Nps, 5);
        Assert.Equal(5.714286, response.Overall.EffectiveSampleSize, 5);
        Assert.Equal(38.054238, response.Overall.StandardError, 5);
        Assert.Equal(10, response.Overall.TotalWeight, 9);
        Assert.Equal(8, response.Overall.ResponseCount);
    }

    [Fact]
    public async Task GetNps_Shares_AddUpToOne()
    {
        string surveyId = await IngestAsync([10, 8, 3, 9], ["a", "a", "a", "a"]);

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId });

        Assert.Equal(0.5, response.Overall.PromoterShare, 12);
        Assert.Equal(0.25, response.Overall.PassiveShare, 12);
        Assert.Equal(0.25, response.Overall.DetractorShare, 12);
        Assert.False(response.Overall.HasTotalWeight);
    }

    public static TheoryData<string, GetNpsRequest, string> InvalidRequests() => new()
    {
        { "no survey", new GetNpsRequest(), "survey_id" },
        { "filter without operator", new GetNpsRequest { Filters = { new AttributeCondition { Key = "a", Scope = AttributeScope.Response } } }, "filters[0].operator" },
        { "equals with two values", new GetNpsRequest { Filters = { Condition("a", ConditionOperator.Equals, "x", "y") } }, "filters[0].values" },
        { "present with a value", new GetNpsRequest { Filters = { Condition("a", ConditionOperator.Present, "x") } }, "filters[0].values" },
        { "negative top k", new GetNpsRequest { TopK = -1 }, "top_k" },
        { "huge page", new GetNpsRequest { PageSize = 5000 }, "page_size" },
        { "foreign token", new GetNpsRequest { PageToken = "xyz" }, "page_token" },
        { "NUL in filter value", new GetNpsRequest { Filters = { Condition("a", ConditionOperator.Equals, "a\0b") } }, "filters[0].values[0]" },
        { "year 9999", new GetNpsRequest { StartTime = Timestamp.FromDateTime(new DateTime(9999, 12, 31, 23, 30, 0, DateTimeKind.Utc)) }, "start_time" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task GetNps_InvalidAnalyticsRequest_NamesField(string scenario, GetNpsRequest request, string field)
    {
        if (field != "survey_id")
        {
            request.SurveyId = await Server.CreateSurveyAsync();
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Server.Query.GetNpsAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, BadRequestOf(error)!.FieldViolations.Single().Field);
        Assert.NotEmpty(scenario);
    }
}

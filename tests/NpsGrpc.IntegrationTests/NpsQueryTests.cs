using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class NpsQueryTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private async Task UpsertCustomersAsync(params Customer[] customers)
    {
        using var call = Server.Ingest.UpsertCustomers();
        await call.RequestStream.WriteAsync(new UpsertCustomersRequest { BatchId = "c", Customers = { customers } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, call.ResponseStream.Current.RejectedCount);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    private static Customer Customer(string id, string key, params string[] values) =>
        new() { CustomerId = id, Attributes = { [key] = new AttributeValues { Values = { values } } } };

    private static SurveyResponse WithChannel(SurveyResponse response, string channel)
    {
        response.Attributes["channel"] = channel;
        return response;
    }

    [Fact]
    public async Task GetNps_KnownScores_ReturnsCountsAndInterval()
    {
        string surveyId = await Server.CreateSurveyAsync();
        int[] scores = [10, 9, 10, 8, 7, 5, 6, 9, 10];
        await StreamAsync(Server.Ingest, Batch(surveyId, "b", scores.Select((s, i) => Make($"r{i}", s, i))));

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId, MinSampleSize = 5 });

        var overall = response.Overall;
        Assert.Equal(9, overall.ResponseCount);
        Assert.Equal(5, overall.PromoterCount);
        Assert.Equal(2, overall.PassiveCount);
        Assert.Equal(2, overall.DetractorCount);
        Assert.Equal(100.0 * 3 / 9, overall.Nps, 9);
        Assert.False(overall.InsufficientSample);
        Assert.Equal(IntervalMethod.AdjustedWald, overall.ConfidenceInterval.Method);
        Assert.Equal(0.95, overall.ConfidenceInterval.Level);
        Assert.True(overall.ConfidenceInterval.Lower < overall.Nps);
        Assert.True(overall.Nps < overall.ConfidenceInterval.Upper);
        Assert.Empty(response.Groups);
    }

    [Fact]
    public async Task GetNps_TwelveFiveThreeWald_MatchesPublishedInterval()
    {
        string surveyId = await Server.CreateSurveyAsync();
        var scores = Enumerable.Repeat(10, 12).Concat(Enumerable.Repeat(8, 5)).Concat(Enumerable.Repeat(2, 3));
        await StreamAsync(Server.Ingest, Batch(surveyId, "b", scores.Select((s, i) => Make($"r{i}", s, i))));

        var response = await Server.Query.GetNpsAsync(
            new GetNpsRequest { SurveyId = surveyId, IntervalMethod = IntervalMethod.Wald });

        Assert.Equal(45, response.Overall.Nps, 9);
        Assert.Equal(12.571627, response.Overall.ConfidenceInterval.Lower, 5);
        Assert.Equal(77.428373, response.Overall.ConfidenceInterval.Upper, 5);
        Assert.True(response.Overall.InsufficientSample);
    }

    [Fact]
    public async Task GetNps_ByResponseAttribute_GroupsWithMissingLast()
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b",
        [
            WithChannel(Make("r1", 10), "web"), WithChannel(Make("r2", 0), "web"), WithChannel(Make("r3", 9), "email"),
            Make("r4", 7),
        ]));

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = surveyId,
            GroupBy = { new AttributeRef { Key = "channel", Scope = AttributeScope.Response } },
        });

        Assert.Equal(["email", "web", null], response.Groups.Select(g => g.Keys.Single().HasValue ? g.Keys.Single().Value : null));
        Assert.Equal([1L, 2L, 1L], response.Groups.Select(g => g.Statistics.ResponseCount));
        Assert.Equal(0, response.Groups[1].Statistics.Nps);
        Assert.Equal(4, response.Overall.ResponseCount);
    }

    [Fact]
    public async Task GetNps_ByMultiValuedCustomerAttribute_CountsResponseInEachValue()
    {
        string surveyId = await Server.CreateSurveyAsync();
        string prefix = Guid.NewGuid().ToString("N");
        await UpsertCustomersAsync(
            Customer($"{prefix}-1", "segment", "Free", "SelfServe"),
            Customer($"{prefix}-2", "segment", "Free"));
        await StreamAsync(Server.Ingest, Batch(surveyId, "b",
        [
            Make("r1", 10, 0, $"{prefix}-1"), Make("r2", 3, 1, $"{prefix}-2"), Make("r3", 8, 2, $"{prefix}-3"),
        ]));

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = surveyId,
            GroupBy = { new AttributeRef { Key = "segment", Scope = AttributeScope.Customer } },
        });

        Assert.Equal(3, response.Overall.ResponseCount);
        Assert.Equal(["Free", "SelfServe", null], response.Groups.Select(g => g.Keys[0].HasValue ? g.Keys[0].Value : null));
        Assert.Equal([2L, 1L, 1L], response.Groups.Select(g => g.Statistics.ResponseCount));
        Assert.Equal(0, response.Groups[0].Statistics.Nps);
        Assert.Equal(100, response.Groups[1].Statistics.Nps);
    }

    [Fact]
    public async Task UpsertCustomers_GivenKey_ReplacesOnlyThatKey()
    {
        string surveyId = await Server.CreateSurveyAsync();
        string customerId = $"{Guid.NewGuid():N}";
        var first = Customer(customerId, "plan", "basic");
        first.Attributes["region"] = new AttributeValues { Values = { "emea" } };
        await UpsertCustomersAsync(first);
        await UpsertCustomersAsync(Customer(customerId, "plan", "pro"));
        await StreamAsync(Server.Ingest, Batch(surveyId, "b", [Make("r1", 9, 0, customerId)]));

        var byPlan = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = surveyId,
            GroupBy =
            {
                new AttributeRef { Key = "plan", Scope = AttributeScope.Customer },
                new AttributeRef { Key = "region", Scope = AttributeScope.Customer },
            },
        });

        var group = Assert.Single(byPlan.Groups);
        Assert.Equal("pro", group.Keys[0].Value);
        Assert.Equal("emea", group.Keys[1].Value);
    }

    [Fact]
    public async Task GetNps_UnknownAttribute_AllInMissingGroup()
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b", Range("r", 5)));

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = surveyId,
            GroupBy = { new AttributeRef { Key = "nothing_here", Scope = AttributeScope.Response } },
        });

        var group = Assert.Single(response.Groups);
        Assert.False(group.Keys[0].HasValue);
        Assert.Equal(5, group.Statistics.ResponseCount);
    }

    [Fact]
    public async Task GetNps_TimeRange_CountsStartInclusiveEndExclusive()
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b", [Make("r0", 10, 0), Make("r1", 10, 10), Make("r2", 0, 20)]));

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest
        {
            SurveyId = surveyId,
            StartTime = Timestamp.FromDateTime(BaseTime.AddMinutes(10)),
            EndTime = Timestamp.FromDateTime(BaseTime.AddMinutes(20)),
        });

        Assert.Equal(1, response.Overall.ResponseCount);
        Assert.Equal(100, response.Overall.Nps);
    }

    [Fact]
    public async Task GetNps_EmptyRange_HasNoNps()
    {
        string surveyId = await Server.CreateSurveyAsync();

        var response = await Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId });

        Assert.Equal(0, response.Overall.ResponseCount);
        Assert.False(response.Overall.HasNps);
        Assert.False(response.Overall.HasStandardError);
        Assert.Null(response.Overall.ConfidenceInterval);
        Assert.True(response.Overall.InsufficientSample);
    }

    public static TheoryData<string, GetNpsRequest, string> InvalidRequests() => new()
    {
        { "bad level", new GetNpsRequest { ConfidenceLevel = 1.5 }, "confidence_level" },
        { "negative min n", new GetNpsRequest { MinSampleSize = -1 }, "min_sample_size" },
        { "reversed range", new GetNpsRequest { StartTime = Timestamp.FromDateTime(BaseTime), EndTime = Timestamp.FromDateTime(BaseTime) }, "end_time" },
        { "invalid timestamp", new GetNpsRequest { StartTime = new Timestamp { Seconds = 1, Nanos = -5 } }, "start_time" },
        { "no scope", new GetNpsRequest { GroupBy = { new AttributeRef { Key = "plan" } } }, "group_by[0].scope" },
        { "bad key", new GetNpsRequest { GroupBy = { new AttributeRef { Key = "x;drop", Scope = AttributeScope.Response } } }, "group_by[0].key" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task GetNps_InvalidRequest_InvalidArgumentNamingField(string scenario, GetNpsRequest request, string field)
    {
        request.SurveyId = await Server.CreateSurveyAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Server.Query.GetNpsAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, BadRequestOf(error)!.FieldViolations.Single().Field);
        Assert.False(string.IsNullOrEmpty(scenario));
    }

    [Fact]
    public async Task GetNps_UnknownSurvey_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(
            async () => await Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = "missing-survey" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}

using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.Faults.FaultBatches;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>Two server instances ingesting into and querying one database at the same time.</summary>
public sealed class TwoInstanceTests
{
    private const int BatchSize = 200;

    [Fact]
    public async Task TwoInstances_OverlappingIds_ExactlyOnce()
    {
        await using var database = await TestDatabase.CreateAsync("nps_two");
        await using var first = await RunningServer.StartAsync(database.ConnectionString);
        await using var second = await RunningServer.StartAsync(database.ConnectionString);
        string surveyId = await first.CreateSurveyAsync("two");

        // Each instance gets three streams. Responses 0-5999 go to the first and 3000-8999 to the second, so the ids
        // 3000-5999 arrive through both instances at once, with identical content.
        var toFirst = Enumerable.Range(0, 3)
            .Select(i => new RetryingIngestClient(() => first.Ingest, Make(surveyId, "r", 10, BatchSize, i * 2000)))
            .ToList();
        var toSecond = Enumerable.Range(0, 3)
            .Select(i => new RetryingIngestClient(() => second.Ingest, Make(surveyId, "r", 10, BatchSize, 3000 + i * 2000)))
            .ToList();
        var clients = toFirst.Concat(toSecond).ToList();
        await Task.WhenAll(clients.Select(c => c.RunAsync(CancellationToken.None)));

        var results = clients.SelectMany(c => c.Results.Values).ToList();
        Assert.All(clients, c => Assert.Empty(c.Failures));
        Assert.All(results, r => Assert.Equal(BatchSize, r.AcceptedCount + r.DuplicateCount));
        Assert.All(results, r => Assert.Equal(0, r.RejectedCount));
        Assert.Equal(9000, results.Sum(r => r.AcceptedCount));
        Assert.Equal(3000, results.Sum(r => r.DuplicateCount));
        await AssertStoredExactlyAsync(database.ConnectionString, surveyId, clients.SelectMany(c => c.Batches));

        var request = new GetNpsRequest { SurveyIds = { surveyId }, GroupBy = { new AttributeRef { Key = "channel", Scope = AttributeScope.Response } } };
        var fromFirst = await first.Query.GetNpsAsync(request);
        var fromSecond = await second.Query.GetNpsAsync(request);
        var scores = Enumerable.Range(0, 9000).Select(n => Response("r", n).Score).ToList();
        Assert.Equal(9000, fromFirst.Overall.ResponseCount);
        Assert.Equal(Nps(scores), fromFirst.Overall.Nps, 9);
        Assert.Equal(fromFirst, fromSecond);
    }
}

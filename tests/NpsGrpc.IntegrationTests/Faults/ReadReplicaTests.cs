using Dapper;
using Npgsql;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.Faults.FaultBatches;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>A server whose queries read from a streaming replica of its own test primary.</summary>
public sealed class ReadReplicaTests
{
    [Fact]
    public async Task Queries_ReadReplica_IngestPrimary()
    {
        await using var primary = await PrivateCluster.StartAsync("primary");
        await using var replica = await primary.StartReplicaAsync();
        await using var server = await RunningServer.StartAsync(
            primary.ConnectionString, new Dictionary<string, string?> { ["ConnectionStrings:NpsReadOnly"] = replica.ConnectionString });
        var followUps = new FollowUpService.FollowUpServiceClient(server.Channel);
        string surveyId = await server.CreateSurveyAsync("replica");
        var request = new GetNpsRequest { SurveyIds = { surveyId } };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var first = Make(surveyId, "a", 2, 100);
        await new RetryingIngestClient(() => server.Ingest, first).RunAsync(timeout.Token);
        await WaitForResponseCountAsync(server, request, 200, timeout.Token);
        int followUpsBefore = (await ListFollowUpsAsync(followUps, surveyId)).Count;
        Assert.True(await ScalarAsync<bool>(replica.ConnectionString, "SELECT pg_is_in_recovery()"));

        // With replay paused, new rows reach the primary but not the replica, so the queries show the old figures.
        await ScalarAsync<string>(replica.ConnectionString, "SELECT pg_wal_replay_pause()::text");
        while (await ScalarAsync<string>(replica.ConnectionString, "SELECT pg_get_wal_replay_pause_state()") != "paused")
        {
            Assert.False(timeout.IsCancellationRequested, "Replay on the replica never paused.");
            await Task.Delay(50);
        }

        var second = Make(surveyId, "b", 2, 100);
        await new RetryingIngestClient(() => server.Ingest, second).RunAsync(timeout.Token);

        var stale = await server.Query.GetNpsAsync(request);
        var staleFollowUps = await ListFollowUpsAsync(followUps, surveyId);
        Assert.Equal(200, stale.Overall.ResponseCount);
        Assert.Equal(followUpsBefore, staleFollowUps.Count);
        await AssertStoredExactlyAsync(primary.ConnectionString, surveyId, first.Concat(second));

        await ScalarAsync<string>(replica.ConnectionString, "SELECT pg_wal_replay_resume()::text");
        await WaitForResponseCountAsync(server, request, 400, timeout.Token);
        var current = await server.Query.GetNpsAsync(request);
        var currentFollowUps = await ListFollowUpsAsync(followUps, surveyId);

        var scores = first.Concat(second).SelectMany(b => b.Responses).Select(r => r.Score).ToList();
        Assert.Equal(Nps(scores), current.Overall.Nps, 9);
        long storedFollowUps = await ScalarAsync<long>(
            primary.ConnectionString,
            "SELECT count(*) FROM outreach_items WHERE kind = 'follow_up' AND survey_id = @surveyId",
            new { surveyId });
        Assert.True(storedFollowUps > followUpsBefore, "the second ingest opened no follow-up item, so the check above proves nothing");
        Assert.Equal(storedFollowUps, currentFollowUps.Count);
    }

    private static async Task WaitForResponseCountAsync(
        RunningServer server, GetNpsRequest request, long expected, CancellationToken cancellationToken)
    {
        long seen = -1;
        while (seen != expected)
        {
            Assert.False(cancellationToken.IsCancellationRequested, $"The replica still shows {seen} responses, not {expected}.");
            await Task.Delay(seen < 0 ? 0 : 100, CancellationToken.None);
            seen = (await server.Query.GetNpsAsync(request)).Overall.ResponseCount;
        }
    }

    private static async Task<List<FollowUpItem>> ListFollowUpsAsync(FollowUpService.FollowUpServiceClient client, string surveyId)
    {
        var page = await client.ListFollowUpsAsync(new ListFollowUpsRequest
        {
            Filter = new OutreachFilter { SurveyId = surveyId },
            PageSize = 1000,
        });
        Assert.Empty(page.NextPageToken);
        return [.. page.Items];
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }
}

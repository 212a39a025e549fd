using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests.Operations;

/// <summary>
/// Scrapes the Prometheus endpoint of a server process that only this test talks to, so every counter equals what
/// the test sent.
/// </summary>
public sealed class MetricsTests
{
    private const int MaxBatchSize = 50;

    [Fact]
    public async Task Prometheus_IngestCountersMatchSent()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await ServerProcess.StartAsync(
            database.ConnectionString, new Dictionary<string, string> { ["Ingest__MaxBatchSize"] = $"{MaxBatchSize}" });
        string surveyId = await server.CreateSurveyAsync("metrics");

        // Batch 1: new responses and responses with an out-of-range score.
        var fresh = Range("a", 30);
        var invalid = Enumerable.Range(0, 3).Select(i => Make($"bad-{i}", 11)).ToList();
        // Batch 2: some of batch 1 again (duplicates), two of them with another score (conflicts), and new ones.
        var resent = fresh.Take(10).ToList();
        var conflicting = fresh.Skip(10).Take(2).Select(r => Make(r.ResponseId, (r.Score + 1) % 11, 500)).ToList();
        var added = Range("c", 5);
        // Batch 3: one item over the batch size limit, rejected whole with RESOURCE_EXHAUSTED.
        var oversized = Range("big", MaxBatchSize + 1);

        using (var call = server.Ingest.StreamResponses())
        {
            await call.RequestStream.WriteAsync(Batch(surveyId, "m-1", fresh.Concat(invalid)));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await call.RequestStream.WriteAsync(Batch(surveyId, "m-2", resent.Concat(conflicting).Concat(added)));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await call.RequestStream.WriteAsync(Batch(surveyId, "m-3", oversized));
            var rejected = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.ResourceExhausted, rejected.StatusCode);
        }

        await server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId });
        await server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId });
        var badQuery = await Assert.ThrowsAsync<RpcException>(
            async () => await server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = "Not A Survey Id" }));
        Assert.Equal(StatusCode.InvalidArgument, badQuery.StatusCode);

        var metrics = await PrometheusText.ScrapeAsync(server.MetricsUrl);

        Assert.Equal(2, metrics.Sum("nps_ingest_batches_total", "nps_batch_outcome=committed"));
        Assert.Equal(1, metrics.Sum("nps_ingest_batches_total", "nps_batch_outcome=rejected", "rpc_grpc_status_code=8"));
        Assert.Equal(fresh.Count + added.Count, metrics.Sum("nps_ingest_responses_total", "nps_response_outcome=accepted"));
        Assert.Equal(resent.Count, metrics.Sum("nps_ingest_responses_total", "nps_response_outcome=duplicate"));
        Assert.Equal(invalid.Count + conflicting.Count, metrics.Sum("nps_ingest_responses_total", "nps_response_outcome=rejected"));
        Assert.Equal(invalid.Count, metrics.Sum("nps_ingest_rejections_total", "nps_rejection_reason=invalid"));
        Assert.Equal(conflicting.Count, metrics.Sum("nps_ingest_rejections_total", "nps_rejection_reason=conflict"));
        Assert.Equal(2, metrics.Sum("nps_ingest_batch_duration_seconds_count", "nps_batch_outcome=committed"));
        Assert.Equal(0, metrics.Sum("nps_ingest_streams_active"));

        Assert.Equal(2, metrics.Sum("nps_query_duration_seconds_count", "rpc_method=GetNps", "rpc_grpc_status_code=0"));
        Assert.Equal(1, metrics.Sum("nps_query_duration_seconds_count", "rpc_method=GetNps", "rpc_grpc_status_code=3"));
    }

    [Fact]
    public async Task Prometheus_ExportsPoolAndRuntimeMetrics()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await ServerProcess.StartAsync(database.ConnectionString);
        await server.CreateSurveyAsync("pool");

        var metrics = await PrometheusText.ScrapeAsync(server.MetricsUrl);

        Assert.True(metrics.Sum("db_client_connection_max", "db_client_connection_pool_name=nps") > 0);
        Assert.True(metrics.Sum("db_client_connection_count", "db_client_connection_pool_name=nps") > 0);
        Assert.True(metrics.Has("db_client_operation_duration_seconds_count"));
        Assert.True(metrics.Sum("dotnet_process_memory_working_set_bytes") > 0);
        Assert.True(metrics.Sum("dotnet_gc_last_collection_heap_size_bytes") > 0);
        Assert.True(metrics.Has("http_server_request_duration_seconds_count"));
    }

    [Fact]
    public async Task MetricsListener_ServesOnlyScrapePath()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await ServerProcess.StartAsync(database.ConnectionString);
        using var http = new HttpClient();
        string root = server.MetricsUrl[..server.MetricsUrl.LastIndexOf('/')];

        using var other = await http.GetAsync($"{root}/nps.v1.SurveyService/ListSurveys");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
    }
}

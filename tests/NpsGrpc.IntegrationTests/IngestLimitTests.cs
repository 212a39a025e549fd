using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class IngestLimitTests(ServerFixture fixture)
{
    [Fact]
    public async Task StreamResponses_BatchOverItemLimit_ResourceExhaustedNothingStored()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString, new Dictionary<string, string?> { ["Ingest:MaxBatchSize"] = "10" });
        string surveyId = await server.CreateSurveyAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => StreamAsync(
            server.Ingest, Batch(surveyId, "small", Range("a", 10)), Batch(surveyId, "big", Range("b", 11))));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("11", error.Status.Detail);
        Assert.Contains("maximum is 10", error.Status.Detail);
        Assert.Equal("responses", BadRequestOf(error)!.FieldViolations.Single().Field);
        Assert.Equal(10, await CountRowsAsync(fixture.Database.ConnectionString, surveyId));
    }

    [Fact]
    public async Task StreamResponses_MessageOverSizeLimit_ResourceExhaustedNothingStored()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString, new Dictionary<string, string?> { ["Ingest:MaxMessageBytes"] = "20000" });
        string surveyId = await server.CreateSurveyAsync();
        var large = Range("a", 10);
        foreach (var response in large)
        {
            response.Comment = new string('x', 4000);
        }

        using var call = server.Ingest.StreamResponses();
        try
        {
            await call.RequestStream.WriteAsync(Batch(surveyId, "big", large));
        }
        catch (RpcException)
        {
            // The server may end the call while the message is still being sent; its status is read below.
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(0, await CountRowsAsync(fixture.Database.ConnectionString, surveyId));
    }

    [Fact]
    public async Task UpsertCustomers_BatchOverItemLimit_ResourceExhausted()
    {
        await using var server = await RunningServer.StartAsync(
            fixture.Database.ConnectionString, new Dictionary<string, string?> { ["Ingest:MaxBatchSize"] = "2" });
        using var call = server.Ingest.UpsertCustomers();
        var request = new UpsertCustomersRequest { BatchId = "c" };
        request.Customers.AddRange(Enumerable.Range(0, 3).Select(i => new Customer { CustomerId = $"limit-{Guid.NewGuid()}" }));
        await call.RequestStream.WriteAsync(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }
}

using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class IngestStreamTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private string ConnectionString => fixture.Database.ConnectionString;

    [Fact]
    public async Task StreamResponses_NewBatches_AckedInOrderAndStored()
    {
        string surveyId = await Server.CreateSurveyAsync();

        var results = await StreamAsync(
            Server.Ingest,
            Batch(surveyId, "b1", Range("a", 100)),
            Batch(surveyId, "b2", Range("b", 50)));

        Assert.Equal(["b1", "b2"], results.Select(r => r.BatchId));
        Assert.Equal(100, results[0].AcceptedCount);
        Assert.Equal(50, results[1].AcceptedCount);
        Assert.Equal(150, await CountRowsAsync(ConnectionString, surveyId));
    }

    [Fact]
    public async Task StreamResponses_RetryAfterLostAck_CountsDuplicatesAddsNoRows()
    {
        string surveyId = await Server.CreateSurveyAsync();
        var batch = Batch(surveyId, "b1", Range("r", 40));
        await StreamAsync(Server.Ingest, batch);

        var retry = await StreamAsync(Server.Ingest, batch);

        Assert.Equal(0, retry[0].AcceptedCount);
        Assert.Equal(40, retry[0].DuplicateCount);
        Assert.Equal(0, retry[0].RejectedCount);
        Assert.Equal(40, await CountRowsAsync(ConnectionString, surveyId));
    }

    [Fact]
    public async Task StreamResponses_SameIdNewContent_RejectedAsConflictKeepsStored()
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b1", [Make("r-1", 9)]));

        var results = await StreamAsync(Server.Ingest, Batch(surveyId, "b2", [Make("r-2", 3), Make("r-1", 2)]));

        var rejection = Assert.Single(results[0].Rejections);
        Assert.Equal(1, rejection.Index);
        Assert.Equal(RejectionReason.Conflict, rejection.Reason);
        Assert.Equal("response_id", rejection.FieldPath);
        Assert.Equal("r-1", rejection.ItemId);
        Assert.Equal(1, results[0].AcceptedCount);
        Assert.Equal(9, await StoredScoreAsync(ConnectionString, surveyId, "r-1"));
    }

    [Fact]
    public async Task StreamResponses_InvalidItems_RejectedWithReasonsOthersAccepted()
    {
        string surveyId = await Server.CreateSurveyAsync();
        var noScore = Make("r-2", 5);
        noScore.ClearScore();
        var future = Make("r-4", 5);
        future.RespondedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1));
        var badKey = Make("r-5", 5);
        badKey.Attributes["bad-key"] = "x";
        var nul = Make("r-6", 5);
        nul.Comment = "a\0b";

        var results = await StreamAsync(
            Server.Ingest,
            Batch(surveyId, "b1", [Make("r-1", 10), noScore, Make("r-3", 11), future, badKey, nul, Make("r-7", 0)]));

        var result = results[0];
        Assert.Equal(2, result.AcceptedCount);
        Assert.Equal(5, result.RejectedCount);
        Assert.Equal([1, 2, 3, 4, 5], result.Rejections.Select(r => r.Index));
        Assert.Equal(["score", "score", "responded_at", "attributes[bad-key]", "comment"], result.Rejections.Select(r => r.FieldPath));
        Assert.All(result.Rejections, r => Assert.Equal(RejectionReason.Invalid, r.Reason));
        Assert.Contains("11", result.Rejections[1].Message);
        Assert.Equal(2, await CountRowsAsync(ConnectionString, surveyId));
    }

    [Fact]
    public async Task StreamResponses_MixedNewAndStored_CountsEachOnce()
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b1", [Make("a", 9)]));

        var results = await StreamAsync(Server.Ingest, Batch(surveyId, "b2", [Make("a", 9), Make("b", 5), Make("c", 7)]));

        Assert.Equal(2, results[0].AcceptedCount);
        Assert.Equal(1, results[0].DuplicateCount);
        Assert.Equal(0, results[0].RejectedCount);
        Assert.Equal(3, await CountRowsAsync(ConnectionString, surveyId));
    }

    [Fact]
    public async Task StreamResponses_RepeatedConflictInBatch_BothConflicts()
    {
        string surveyId = await Server.CreateSurveyAsync();
        await StreamAsync(Server.Ingest, Batch(surveyId, "b1", [Make("x", 9)]));

        var results = await StreamAsync(Server.Ingest, Batch(surveyId, "b2", [Make("x", 2), Make("x", 2)]));

        Assert.Equal(0, results[0].DuplicateCount);
        Assert.Equal([0, 1], results[0].Rejections.Select(r => r.Index));
        Assert.All(results[0].Rejections, r => Assert.Equal(RejectionReason.Conflict, r.Reason));
        Assert.Equal(9, await StoredScoreAsync(ConnectionString, surveyId, "x"));
    }

    [Fact]
    public async Task StreamResponses_WeightOneThenAbsent_IsDuplicate()
    {
        string surveyId = await Server.CreateSurveyAsync();
        var weighted = Make("w", 9);
        weighted.Weight = 1;
        await StreamAsync(Server.Ingest, Batch(surveyId, "b1", [weighted]));

        var results = await StreamAsync(Server.Ingest, Batch(surveyId, "b2", [Make("w", 9)]));

        Assert.Equal(1, results[0].DuplicateCount);
        Assert.Equal(0, results[0].RejectedCount);
    }

    [Fact]
    public async Task StreamResponses_IdTwiceInBatch_DuplicateOrConflict()
    {
        string surveyId = await Server.CreateSurveyAsync();

        var results = await StreamAsync(
            Server.Ingest, Batch(surveyId, "b1", [Make("r-1", 9), Make("r-1", 9), Make("r-1", 4)]));

        Assert.Equal(1, results[0].AcceptedCount);
        Assert.Equal(1, results[0].DuplicateCount);
        var rejection = Assert.Single(results[0].Rejections);
        Assert.Equal(2, rejection.Index);
        Assert.Equal(RejectionReason.Conflict, rejection.Reason);
        Assert.Equal(1, await CountRowsAsync(ConnectionString, surveyId));
    }

    [Fact]
    public async Task StreamResponses_EmptyBatch_AckedWithZeros()
    {
        string surveyId = await Server.CreateSurveyAsync();

        var results = await StreamAsync(Server.Ingest, Batch(surveyId, "empty", []));

        Assert.Equal(0, results[0].AcceptedCount);
        Assert.Equal("empty", results[0].BatchId);
    }

    [Fact]
    public async Task StreamResponses_UnknownSurvey_EndsWithNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(
            () => StreamAsync(Server.Ingest, Batch("no-such-survey", "b1", Range("r", 1))));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("no-such-survey", error.Status.Detail);
    }

    [Theory]
    [InlineData("Bad Id", "b1", "survey_id")]
    [InlineData("fine", "", "batch_id")]
    public async Task StreamResponses_MalformedIds_EndWithInvalidArgument(string surveyId, string batchId, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(
            () => StreamAsync(Server.Ingest, Batch(surveyId, batchId, Range("r", 1))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task StreamResponses_AckedThenFailure_AckedBatchStaysCommitted()
    {
        string surveyId = await Server.CreateSurveyAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => StreamAsync(
            Server.Ingest, Batch(surveyId, "b1", Range("a", 30)), Batch(surveyId, "", Range("b", 30))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(30, await CountRowsAsync(ConnectionString, surveyId));
    }

    [Fact]
    public async Task IngestResponses_ClientStream_ReturnsSummary()
    {
        string surveyId = await Server.CreateSurveyAsync();
        using var call = Server.Ingest.IngestResponses();
        await call.RequestStream.WriteAsync(new IngestResponsesRequest { SurveyId = surveyId, BatchId = "b1", Responses = { Range("a", 20) } });
        await call.RequestStream.WriteAsync(new IngestResponsesRequest
        {
            SurveyId = surveyId,
            BatchId = "b2",
            Responses = { Range("a", 5), Make("x-1", 12) },
        });
        await call.RequestStream.CompleteAsync();

        var summary = await call;

        Assert.Equal(2, summary.BatchCount);
        Assert.Equal(20, summary.AcceptedCount);
        Assert.Equal(5, summary.DuplicateCount);
        Assert.Equal(1, summary.RejectedCount);
        Assert.Equal("b2", Assert.Single(summary.BatchesWithRejections).BatchId);
        Assert.Equal(20, await CountRowsAsync(ConnectionString, surveyId));
    }
}

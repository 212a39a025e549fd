using Dapper;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Npgsql;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests;

/// <summary>Builders for test responses and helpers that stream them and read back what was stored.</summary>
internal static class TestResponses
{
    public static readonly DateTime BaseTime = new(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);

    public static SurveyResponse Make(string id, int score, int minutesAfterBase = 0, string customerId = "c-1") => new()
    {
        ResponseId = id,
        CustomerId = customerId,
        Score = score,
        RespondedAt = Timestamp.FromDateTime(BaseTime.AddMinutes(minutesAfterBase)),
    };

    public static List<SurveyResponse> Range(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => Make($"{prefix}-{i}", i % 11, i)).ToList();

    public static StreamResponsesRequest Batch(string surveyId, string batchId, IEnumerable<SurveyResponse> responses)
    {
        var request = new StreamResponsesRequest { SurveyId = surveyId, BatchId = batchId };
        request.Responses.AddRange(responses.Select(r => r.Clone()));
        return request;
    }

    /// <summary>Sends the batches on one stream and returns the batch results, in order.</summary>
    public static async Task<List<ResponseBatchResult>> StreamAsync(
        IngestService.IngestServiceClient client, params StreamResponsesRequest[] batches)
    {
        using var call = client.StreamResponses(deadline: DateTime.UtcNow.AddMinutes(2));
        var results = new List<ResponseBatchResult>();
        foreach (var batch in batches)
        {
            await call.RequestStream.WriteAsync(batch);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            results.Add(call.ResponseStream.Current.Result);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        return results;
    }

    public static async Task<long> CountRowsAsync(string connectionString, string surveyId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM responses WHERE survey_id = @surveyId", new { surveyId });
    }

    public static async Task<int> StoredScoreAsync(string connectionString, string surveyId, string responseId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<int>(
            "SELECT score FROM responses WHERE survey_id = @surveyId AND response_id = @responseId", new { surveyId, responseId });
    }

    public static Google.Rpc.BadRequest? BadRequestOf(RpcException exception) =>
        exception.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>();
}

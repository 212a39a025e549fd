using Dapper;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Npgsql;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Faults;

/// <summary>Test data for the fault tests, and checks of the stored rows afterwards.</summary>
internal static class FaultBatches
{
    private static readonly DateTime BaseTime = new(2026, 10, 5, 8, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Builds <paramref name="batchCount"/> batches of <paramref name="batchSize"/> responses with ids
    /// PREFIX-N for N from <paramref name="firstNumber"/> on. A response's content depends on N only, so two
    /// clients that send the same N send identical responses.
    /// </summary>
    public static List<StreamResponsesRequest> Make(
        string surveyId, string prefix, int batchCount, int batchSize, int firstNumber = 0, int commentLength = 0)
    {
        var batches = new List<StreamResponsesRequest>(batchCount);
        for (int b = 0; b < batchCount; b++)
        {
            var batch = new StreamResponsesRequest { SurveyId = surveyId, BatchId = $"{prefix}-b{firstNumber + b * batchSize}" };
            for (int i = 0; i < batchSize; i++)
            {
                batch.Responses.Add(Response(prefix, firstNumber + b * batchSize + i, commentLength));
            }

            batches.Add(batch);
        }

        return batches;
    }

    /// <summary>The response number <paramref name="number"/> of <paramref name="prefix"/>.</summary>
    public static SurveyResponse Response(string prefix, int number, int commentLength = 0) => new()
    {
        ResponseId = $"{prefix}-{number}",
        CustomerId = $"cust-{number % 97}",
        Score = number * 7 % 11,
        RespondedAt = Timestamp.FromDateTime(BaseTime.AddMinutes(number)),
        Comment = commentLength == 0 ? string.Empty : new string((char)('a' + number % 26), commentLength),
        Attributes = { ["channel"] = number % 3 == 0 ? "email" : "web" },
    };

    /// <summary>Reads the response id and score of every stored row of <paramref name="surveyId"/>.</summary>
    public static async Task<List<(string ResponseId, int Score)>> ReadStoredAsync(string connectionString, string surveyId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var rows = await connection.QueryAsync<(string, int)>(
            "SELECT response_id, score FROM responses WHERE survey_id = @surveyId", new { surveyId });
        return rows.AsList();
    }

    /// <summary>
    /// Asserts that the database contains exactly the responses of <paramref name="sent"/>: each id once, with the score
    /// sent.
    /// </summary>
    public static async Task AssertStoredExactlyAsync(
        string connectionString, string surveyId, IEnumerable<StreamResponsesRequest> sent)
    {
        var expected = sent.SelectMany(b => b.Responses)
            .GroupBy(r => r.ResponseId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Score, StringComparer.Ordinal);
        var stored = await ReadStoredAsync(connectionString, surveyId);

        Assert.Equal(expected.Count, stored.Count);
        Assert.Equal(stored.Count, stored.Select(r => r.ResponseId).Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(stored, r => !expected.TryGetValue(r.ResponseId, out int score) || score != r.Score);
    }

    /// <summary>NPS of the scores, computed here from the definition: 100 x (promoters - detractors) / n.</summary>
    public static double Nps(IEnumerable<int> scores)
    {
        var list = scores.ToList();
        return 100.0 * (list.Count(s => s >= 9) - list.Count(s => s <= 6)) / list.Count;
    }

    /// <summary>Watches the server's overall health and records each status change until cancelled.</summary>
    public static async Task WatchHealthAsync(
        Health.HealthClient health, List<HealthCheckResponse.Types.ServingStatus> statuses, CancellationToken cancellationToken)
    {
        try
        {
            using var call = health.Watch(new HealthCheckRequest(), cancellationToken: cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                lock (statuses)
                {
                    statuses.Add(call.ResponseStream.Current.Status);
                }
            }
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> every 100 ms until it holds. When the token fires first, fails the test with
    /// <paramref name="what"/> and the state <paramref name="describe"/> returns.
    /// </summary>
    public static async Task WaitUntilAsync(
        Func<bool> condition, string what, CancellationToken cancellationToken, Func<string>? describe = null)
    {
        while (!condition())
        {
            Assert.False(cancellationToken.IsCancellationRequested, $"Gave up waiting until {what}. {describe?.Invoke()}");
            await Task.Delay(100, CancellationToken.None);
        }
    }
}

using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Insights;

/// <summary>One response of an insight test, as the test builds it, with its customer's regions.</summary>
internal sealed record InsightRow(
    string Id, string CustomerId, int Score, int Minute, string Plan, string Channel, string[] Regions, string? Comment = null)
{
    public bool IsPromoter => Score >= 9;

    public bool IsDetractor => Score <= 6;
}

/// <summary>Ingests <see cref="InsightRow"/> lists: responses with plan and channel, customers with regions.</summary>
internal static class InsightData
{
    public static InsightService.InsightServiceClient Client(RunningServer server) => new(server.Channel);

    /// <summary>Creates a survey, upserts the customers and streams the responses; returns the survey id.</summary>
    public static async Task<string> IngestAsync(RunningServer server, IReadOnlyList<InsightRow> rows)
    {
        string surveyId = await server.CreateSurveyAsync();
        var customers = rows
            .GroupBy(r => r.CustomerId)
            .Select(g => new Customer
            {
                CustomerId = g.Key,
                Attributes = { ["region"] = new AttributeValues { Values = { g.First().Regions } } },
            })
            .ToList();
        using (var call = server.Ingest.UpsertCustomers())
        {
            await call.RequestStream.WriteAsync(new UpsertCustomersRequest { BatchId = "c", Customers = { customers } });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(0, call.ResponseStream.Current.RejectedCount);
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        }

        var responses = rows.Select(r =>
        {
            var response = new SurveyResponse
            {
                ResponseId = r.Id,
                CustomerId = r.CustomerId,
                Score = r.Score,
                RespondedAt = Timestamp.FromDateTime(TestResponses.BaseTime.AddMinutes(r.Minute)),
                Attributes = { ["plan"] = r.Plan, ["channel"] = r.Channel },
            };
            if (r.Comment is not null)
            {
                response.Comment = r.Comment;
            }

            return response;
        });
        var results = await TestResponses.StreamAsync(server.Ingest, TestResponses.Batch(surveyId, "b", responses));
        Assert.Equal(rows.Count, results.Single().AcceptedCount);
        return surveyId;
    }

    /// <summary>Returns a customer id prefix that no other test uses.</summary>
    public static string UniquePrefix() => $"p{Guid.NewGuid():N}"[..13];
}

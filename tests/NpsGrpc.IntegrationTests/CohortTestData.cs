using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests;

/// <summary>
/// A seeded set of customers and responses for cohort tests, kept in memory too, so a test computes its expected
/// counts from the raw rows without the server. Customer ids carry a prefix unique to the test.
/// </summary>
internal sealed class CohortTestData
{
    public static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private CohortTestData(string surveyId, List<RawResponse> responses, Dictionary<string, Dictionary<string, string[]>> customers)
    {
        SurveyId = surveyId;
        Responses = responses;
        Customers = customers;
    }

    public string SurveyId { get; }

    public List<RawResponse> Responses { get; }

    /// <summary>Customer attributes by customer id, then key; a key may hold several values.</summary>
    public Dictionary<string, Dictionary<string, string[]>> Customers { get; }

    public sealed record RawResponse(string CustomerId, int Score, DateTime RespondedAt, string Channel);

    /// <summary>
    /// Ingests 300 responses of 40 customers over January to March 2026. Customers have a plan (free, pro or team),
    /// zero to two region tags (eu, us) and, for most, a signup date; the responses a channel (web or app).
    /// </summary>
    public static async Task<CohortTestData> CreateAsync(RunningServer server, int seed)
    {
        var random = new Random(seed);
        string prefix = $"c{Guid.NewGuid():N}"[..13];
        string[] plans = ["free", "pro", "team"];
        string[][] regionSets = [[], ["eu"], ["us"], ["eu", "us"]];
        string?[] signups =
        [
            "2025-11-20", "2025-11-03T10:00:00Z", "2025-12-31", "2026-01-15", "2026-02-01", "bad-date", "2025-02-30", null,
        ];

        var customers = new Dictionary<string, Dictionary<string, string[]>>();
        var upserts = new List<Customer>();
        for (int c = 0; c < 40; c++)
        {
            var attributes = new Dictionary<string, string[]>
            {
                ["plan"] = [plans[random.Next(plans.Length)]],
                ["region"] = regionSets[random.Next(regionSets.Length)],
            };
            if (signups[random.Next(signups.Length)] is { } signup)
            {
                attributes["signup"] = [signup];
            }

            string id = $"{prefix}-{c}";
            customers[id] = attributes;
            var customer = new Customer { CustomerId = id };
            foreach (var (key, values) in attributes.Where(a => a.Value.Length > 0))
            {
                customer.Attributes[key] = new AttributeValues { Values = { values } };
            }

            upserts.Add(customer);
        }

        await UpsertCustomersAsync(server, upserts);

        var responses = new List<RawResponse>();
        var ids = customers.Keys.ToList();
        for (int r = 0; r < 300; r++)
        {
            // Scores lean towards promoters so that NPS varies between groups.
            int score = random.Next(0, 14) is var draw && draw > 10 ? 10 : draw;
            var at = Start.AddMinutes(random.Next(0, 89 * 24 * 60));
            responses.Add(new RawResponse(ids[random.Next(ids.Count)], score, at, random.Next(3) == 0 ? "app" : "web"));
        }

        string surveyId = await server.CreateSurveyAsync("cohort");
        var messages = responses.Select((raw, i) =>
        {
            var message = new SurveyResponse
            {
                ResponseId = $"r{i}",
                CustomerId = raw.CustomerId,
                Score = raw.Score,
                RespondedAt = Timestamp.FromDateTime(raw.RespondedAt),
            };
            message.Attributes["channel"] = raw.Channel;
            return message;
        });
        await StreamAsync(server.Ingest, Batch(surveyId, "b", messages));
        return new CohortTestData(surveyId, responses, customers);
    }

    /// <summary>Whether the customer has any of the values under the key.</summary>
    public bool CustomerHas(RawResponse response, string key, params string[] values) =>
        Customers[response.CustomerId].TryGetValue(key, out var stored) && stored.Intersect(values).Any();

    /// <summary>Counts promoters, passives and detractors of the responses, the way the server defines them.</summary>
    public static (long N, long Promoters, long Detractors) Count(IEnumerable<RawResponse> responses)
    {
        var list = responses.ToList();
        return (list.Count, list.Count(r => r.Score >= 9), list.Count(r => r.Score <= 6));
    }

    /// <summary>Asserts that the figures match the counts of <paramref name="expected"/>.</summary>
    public static void AssertMatches(IEnumerable<RawResponse> expected, NpsStatistics actual)
    {
        var (n, promoters, detractors) = Count(expected);
        Assert.Equal(n, actual.ResponseCount);
        Assert.Equal(promoters, actual.PromoterCount);
        Assert.Equal(detractors, actual.DetractorCount);
        if (n > 0)
        {
            Assert.Equal(100.0 * (promoters - detractors) / n, actual.Nps, 9);
        }
        else
        {
            Assert.False(actual.HasNps);
        }
    }

    private static async Task UpsertCustomersAsync(RunningServer server, List<Customer> customers)
    {
        using var call = server.Ingest.UpsertCustomers();
        await call.RequestStream.WriteAsync(new UpsertCustomersRequest { BatchId = "c", Customers = { customers } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, call.ResponseStream.Current.RejectedCount);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }
}

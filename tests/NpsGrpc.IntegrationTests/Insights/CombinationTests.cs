using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Insights;

[Collection(ServerCollection.Name)]
public sealed class CombinationTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    /// <summary>
    /// Eight cells of 20 responses (plan x channel x region). Six cells have 6 promoters; pro/app/eu has 20 and
    /// pro/app/us 16. So pro with app (40 responses, 36 promoters) is the best pair, and pro/app/eu the best
    /// triple (20 of 20) when 20 responses are enough support. Non-promoters alternate between 7 and 3.
    /// </summary>
    private static List<InsightRow> BuildRows()
    {
        string prefix = InsightData.UniquePrefix();
        var rows = new List<InsightRow>();
        foreach (string plan in new[] { "pro", "basic" })
        {
            foreach (string channel in new[] { "app", "web" })
            {
                foreach (string region in new[] { "eu", "us" })
                {
                    int promoters = (plan, channel, region) switch
                    {
                        ("pro", "app", "eu") => 20,
                        ("pro", "app", "us") => 16,
                        _ => 6,
                    };
                    for (int i = 0; i < 20; i++)
                    {
                        int nonPromoterScore = i % 2 == 0 ? 7 : 3;
                        int score = i < promoters ? 10 : nonPromoterScore;
                        int n = rows.Count;
                        rows.Add(new InsightRow($"r{n}", $"{prefix}-{n}", score, n, plan, channel, [region]));
                    }
                }
            }
        }

        return rows;
    }

    private static FindPersonaCombinationsRequest Request(string surveyId, int minSupport, int maxAttributes) => new()
    {
        SurveyId = surveyId,
        Attributes =
        {
            new AttributeRef { Key = "plan", Scope = AttributeScope.Response },
            new AttributeRef { Key = "channel", Scope = AttributeScope.Response },
            new AttributeRef { Key = "region", Scope = AttributeScope.Customer },
        },
        MinSupport = minSupport,
        MaxAttributeCount = maxAttributes,
    };

    [Fact]
    public async Task FindCombinations_KnownBestPair_RankedFirst()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var response = await InsightData.Client(Server).FindPersonaCombinationsAsync(Request(surveyId, 30, 3));

        var best = response.Combinations[0];
        Assert.Equal([("plan", "pro"), ("channel", "app")], best.Values.Select(v => (v.Key, v.Value)));
        var holders = rows.Where(r => r.Plan == "pro" && r.Channel == "app").ToList();
        Assert.Equal(holders.Count, best.ResponseCount);
        Assert.Equal(holders.Count(r => r.IsPromoter), best.CategoryCount);
        Assert.Equal(0.9, best.CategoryRate, 12);
        Assert.Equal(0.9 / ((double)rows.Count(r => r.IsPromoter) / rows.Count), best.Lift, 12);
        double nps = 100.0 * (holders.Count(r => r.IsPromoter) - holders.Count(r => r.IsDetractor)) / holders.Count;
        Assert.Equal(nps, best.Nps, 9);
        Assert.True(best.PValue < 0.001);

        // 6 single values and 12 pairs reach 30 responses; the 8 triples hold 20 each.
        Assert.Equal(18, response.EvaluatedCount);
        Assert.Equal(8, response.BelowSupportCount);
        Assert.Equal(NpsCategory.Promoter, response.Category);
    }

    [Fact]
    public async Task FindCombinations_LowerSupport_FindsTriple()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var response = await InsightData.Client(Server).FindPersonaCombinationsAsync(Request(surveyId, 20, 3));

        var best = response.Combinations[0];
        Assert.Equal([("plan", "pro"), ("channel", "app"), ("region", "eu")], best.Values.Select(v => (v.Key, v.Value)));
        Assert.Equal(20, best.ResponseCount);
        Assert.Equal(1.0, best.CategoryRate);
        Assert.Equal(26, response.EvaluatedCount);
    }

    [Fact]
    public async Task FindCombinations_Detractors_RanksLowestPromoterCells()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);
        var request = Request(surveyId, 30, 1);
        request.Category = NpsCategory.Detractor;
        request.TopK = 2;

        var response = await InsightData.Client(Server).FindPersonaCombinationsAsync(request);

        // Single values: basic and web hold 80 responses with 24 promoters and 28 detractors each.
        Assert.Equal(2, response.Combinations.Count);
        foreach (var combination in response.Combinations)
        {
            var value = Assert.Single(combination.Values);
            var holders = rows.Where(r => value.Key == "plan" ? r.Plan == value.Value : r.Channel == value.Value).ToList();
            Assert.Equal(holders.Count(r => r.IsDetractor), combination.CategoryCount);
            Assert.Equal((double)holders.Count(r => r.IsDetractor) / holders.Count, combination.CategoryRate, 12);
        }

        Assert.Equal(["channel=web", "plan=basic"], response.Combinations.Select(c => $"{c.Values[0].Key}={c.Values[0].Value}").Order());
    }
}

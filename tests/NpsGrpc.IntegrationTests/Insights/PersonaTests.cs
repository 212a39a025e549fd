using Google.Protobuf.WellKnownTypes;
using MathNet.Numerics;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Insights;

[Collection(ServerCollection.Name)]
public sealed class PersonaTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    /// <summary>
    /// 240 responses, one per customer: "pro" customers promote more often than "basic" ones, five responses have
    /// the plan "rare", and some customers are in two regions at once.
    /// </summary>
    private static List<InsightRow> BuildRows()
    {
        string prefix = InsightData.UniquePrefix();
        var random = new Random(7);
        string[][] regionChoices = [["eu"], ["us"], ["eu", "apac"]];
        var rows = new List<InsightRow>();
        for (int i = 0; i < 240; i++)
        {
            string plan = i < 5 ? "rare" : random.NextDouble() < 0.4 ? "pro" : "basic";
            double promoterChance = plan == "pro" ? 0.75 : 0.35;
            double draw = random.NextDouble();
            int score;
            if (draw < promoterChance)
            {
                score = 9 + random.Next(2);
            }
            else if (draw < promoterChance + 0.2)
            {
                score = 7 + random.Next(2);
            }
            else
            {
                score = random.Next(7);
            }

            string channel = random.NextDouble() < 0.5 ? "web" : "app";
            rows.Add(new InsightRow($"r{i}", $"{prefix}-{i}", score, i, plan, channel, regionChoices[random.Next(3)]));
        }

        return rows;
    }

    /// <summary>Whether the row has the value, read from the raw row the test built.</summary>
    private static bool Holds(InsightRow row, AttributeValue value) => (value.Scope, value.Key) switch
    {
        (AttributeScope.Response, "plan") => row.Plan == value.Value,
        (AttributeScope.Response, "channel") => row.Channel == value.Value,
        (AttributeScope.Customer, "region") => row.Regions.Contains(value.Value),
        _ => throw new InvalidOperationException($"Unexpected attribute {value}"),
    };

    private static IEnumerable<AttributeValue> AllValues(IReadOnlyList<InsightRow> rows) =>
        rows.Select(r => r.Plan).Distinct().Select(v => Value(AttributeScope.Response, "plan", v))
            .Concat(rows.Select(r => r.Channel).Distinct().Select(v => Value(AttributeScope.Response, "channel", v)))
            .Concat(rows.SelectMany(r => r.Regions).Distinct().Select(v => Value(AttributeScope.Customer, "region", v)));

    private static AttributeValue Value(AttributeScope scope, string key, string value) => new() { Scope = scope, Key = key, Value = value };

    private static void AssertMatchesRows(PersonaProfile profile, IReadOnlyList<InsightRow> rows, Func<InsightRow, bool> inCategory, int minSupport)
    {
        long total = rows.Count;
        long categoryTotal = rows.Count(inCategory);
        Assert.Equal(categoryTotal, profile.CategoryCount);
        Assert.False(profile.InsufficientSample);

        var expectedValues = AllValues(rows).Where(v => rows.Count(r => Holds(r, v)) >= minSupport).ToList();
        Assert.Equal(expectedValues.Count, profile.Values.Count);
        foreach (var value in profile.Values)
        {
            var holders = rows.Where(r => Holds(r, value.Attribute)).ToList();
            long holdersInCategory = holders.Count(inCategory);
            double categoryShare = (double)holdersInCategory / categoryTotal;
            double overallShare = (double)holders.Count / total;
            double nps = 100.0 * (holders.Count(r => r.IsPromoter) - holders.Count(r => r.IsDetractor)) / holders.Count;

            Assert.Equal(holders.Count, value.ResponseCount);
            Assert.Equal(holdersInCategory, value.CategoryCount);
            Assert.Equal(categoryShare, value.CategoryShare, 12);
            Assert.Equal(overallShare, value.OverallShare, 12);
            Assert.Equal(categoryShare / overallShare, value.Lift, 12);
            Assert.Equal(nps, value.Nps, 9);
            Assert.True(value.HasPValue);
            Assert.True(value.AdjustedPValue >= value.PValue);

            // Pooled two-proportion z-test, written out independently of the server's code.
            long rest = total - holders.Count;
            double pooled = (double)categoryTotal / total;
            double minExpected = Math.Min(holders.Count, rest) * Math.Min(pooled, 1 - pooled);
            if (minExpected >= 5)
            {
                double holderRate = (double)holdersInCategory / holders.Count;
                double restRate = (double)(categoryTotal - holdersInCategory) / rest;
                double z = (holderRate - restRate) / Math.Sqrt(pooled * (1 - pooled) * (1.0 / holders.Count + 1.0 / rest));
                Assert.Equal(SignificanceTest.TwoProportionZ, value.Test);
                Assert.Equal(SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2)), value.PValue, 9);
            }
        }

        var lifts = profile.Values.Select(v => v.Lift).ToList();
        Assert.Equal(lifts.OrderByDescending(l => l).ToList(), lifts);
    }

    [Fact]
    public async Task GetPersonas_LiftFigures_MatchRawRows()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var response = await InsightData.Client(Server).GetPersonasAsync(new GetPersonasRequest { SurveyId = surveyId, MinSupport = 10 });

        Assert.Equal(rows.Count, response.Overall.ResponseCount);
        AssertMatchesRows(response.Promoters, rows, r => r.IsPromoter, 10);
        AssertMatchesRows(response.Detractors, rows, r => r.IsDetractor, 10);
        var top = response.Promoters.Values[0].Attribute;
        Assert.Equal(("plan", "pro"), (top.Key, top.Value));
    }

    [Fact]
    public async Task GetPersonas_ValueUnderSupport_LeftOut()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var response = await InsightData.Client(Server).GetPersonasAsync(new GetPersonasRequest { SurveyId = surveyId, MinSupport = 10 });

        // Only "rare" (5 responses) falls under 10.
        int expectedBelow = AllValues(rows).Count(v => rows.Count(r => Holds(r, v)) < 10);
        Assert.Equal(1, expectedBelow);
        Assert.Equal(expectedBelow, response.Promoters.BelowSupportCount);
        Assert.Equal(expectedBelow, response.Detractors.BelowSupportCount);
        Assert.DoesNotContain(response.Promoters.Values, v => v.Attribute.Value == "rare");
    }

    [Fact]
    public async Task GetPersonas_RareValue_UsesFisherExact()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var response = await InsightData.Client(Server).GetPersonasAsync(new GetPersonasRequest
        {
            SurveyId = surveyId,
            MinSupport = 5,
            Attributes = { new AttributeRef { Key = "plan", Scope = AttributeScope.Response } },
        });

        // "rare" has 5 responses, so its expected count of promoters is below 5.
        var rare = Assert.Single(response.Promoters.Values, v => v.Attribute.Value == "rare");
        int total = rows.Count;
        int promoters = rows.Count(r => r.IsPromoter);
        int rarePromoters = rows.Count(r => r.Plan == "rare" && r.IsPromoter);
        Assert.Equal(5, rare.ResponseCount);
        Assert.Equal(rarePromoters, rare.CategoryCount);
        Assert.Equal(SignificanceTest.FisherExact, rare.Test);
        Assert.Equal(FisherTwoSided(rarePromoters, 5, promoters, total), rare.PValue, 9);
    }

    /// <summary>Two-sided Fisher's exact test from hypergeometric probabilities summed in log space.</summary>
    private static double FisherTwoSided(int observed, int holders, int inCategory, int total)
    {
        double LogProbability(int k) =>
            SpecialFunctions.BinomialLn(inCategory, k) + SpecialFunctions.BinomialLn(total - inCategory, holders - k)
            - SpecialFunctions.BinomialLn(total, holders);

        double limit = LogProbability(observed) + 1e-7;
        return Enumerable.Range(0, holders + 1)
            .Where(k => k <= inCategory && holders - k <= total - inCategory)
            .Select(LogProbability)
            .Where(logProbability => logProbability <= limit)
            .Sum(Math.Exp);
    }

    [Fact]
    public async Task GetPersonas_SmallSample_SaysSo()
    {
        string prefix = InsightData.UniquePrefix();
        var rows = Enumerable.Range(0, 12)
            .Select(i => new InsightRow($"r{i}", $"{prefix}-{i}", i % 3 == 0 ? 3 : 10, i, "pro", "web", ["eu"]))
            .ToList();
        string surveyId = await InsightData.IngestAsync(Server, rows);

        var response = await InsightData.Client(Server).GetPersonasAsync(new GetPersonasRequest { SurveyId = surveyId });

        Assert.True(response.Promoters.InsufficientSample);
        Assert.True(response.Detractors.InsufficientSample);
        Assert.Empty(response.Promoters.Values);
        Assert.Equal(8, response.Promoters.CategoryCount);
        Assert.Equal(4, response.Detractors.CategoryCount);
        Assert.Contains("too small", response.Detractors.Note);
        Assert.Contains("4 of 12 responses are detractors", response.Detractors.Note);
    }

    [Fact]
    public async Task GetPersonas_FiltersAndRange_CountOnlySelected()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);
        var selected = rows.Where(r => r.Channel == "web" && r.Minute >= 20 && r.Minute < 200).ToList();

        var response = await InsightData.Client(Server).GetPersonasAsync(new GetPersonasRequest
        {
            SurveyId = surveyId,
            StartTime = Timestamp.FromDateTime(TestResponses.BaseTime.AddMinutes(20)),
            EndTime = Timestamp.FromDateTime(TestResponses.BaseTime.AddMinutes(200)),
            Filters = { new AttributeCondition { Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Equals, Values = { "web" } } },
            Attributes = { new AttributeRef { Key = "plan", Scope = AttributeScope.Response }, new AttributeRef { Key = "region", Scope = AttributeScope.Customer } },
            MinSupport = 10,
        });

        Assert.Equal(selected.Count, response.Overall.ResponseCount);
        Assert.DoesNotContain(response.Promoters.Values, v => v.Attribute.Key == "channel");
        AssertMatchesRowsWithout(response.Promoters, selected);
    }

    private static void AssertMatchesRowsWithout(PersonaProfile profile, List<InsightRow> selected)
    {
        foreach (var value in profile.Values)
        {
            var holders = selected.Where(r => Holds(r, value.Attribute)).ToList();
            Assert.Equal(holders.Count, value.ResponseCount);
            Assert.Equal(holders.Count(r => r.IsPromoter), value.CategoryCount);
        }

        Assert.Contains(profile.Values, v => v.Attribute.Key == "region");
    }
}

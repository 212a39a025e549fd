using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests.Insights;

/// <summary>
/// The insight RPCs filtered by named cohorts: each must return what the cohorts' conditions return as plain filters,
/// and the counts the test computes from the rows it ingested.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class InsightCohortTests(ServerFixture fixture)
{
    private static readonly string[] PromoterWords = ["great templates", "fast board", "lovely sharing"];
    private static readonly string[] DetractorWords = ["slow board", "crashes often", "confusing pricing"];

    private RunningServer Server => fixture.Server;

    /// <summary>
    /// 300 responses, one per customer, with random plans, channels, region sets and scores. Promoters write praise,
    /// detractors complaints and passives a neutral line. Every fifth response has no comment.
    /// </summary>
    private static List<InsightRow> BuildRows()
    {
        string prefix = InsightData.UniquePrefix();
        var random = new Random(11);
        string[][] regionChoices = [["eu"], ["us"], ["eu", "apac"]];
        var rows = new List<InsightRow>();
        for (int i = 0; i < 300; i++)
        {
            int score = random.Next(11);
            string[] words = ["average board"];
            if (score >= 9)
            {
                words = PromoterWords;
            }
            else if (score <= 6)
            {
                words = DetractorWords;
            }

            string? comment = i % 5 == 0 ? null : $"{words[random.Next(words.Length)]} on the board number {i}";
            rows.Add(new InsightRow(
                $"r{i}",
                $"{prefix}-{i}",
                score,
                i,
                random.Next(3) == 0 ? "pro" : "basic",
                random.Next(2) == 0 ? "app" : "web",
                regionChoices[random.Next(regionChoices.Length)],
                comment));
        }

        return rows;
    }

    private static AttributeCondition EuCondition => new()
    {
        Key = "region", Scope = AttributeScope.Customer, Operator = ConditionOperator.Equals, Values = { "eu" },
    };

    private static AttributeCondition ProCondition => new()
    {
        Key = "plan", Scope = AttributeScope.Response, Operator = ConditionOperator.Equals, Values = { "pro" },
    };

    private static AttributeCondition WebCondition => new()
    {
        Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Equals, Values = { "web" },
    };

    /// <summary>Returns whether a row is in both cohorts of <see cref="CreateCohortsAsync"/>.</summary>
    private static bool InCohorts(InsightRow row) => row.Regions.Contains("eu") && row.Plan == "pro";

    /// <summary>Creates a cohort of customers with the region eu and one of responses with the plan pro.</summary>
    private async Task<(string Eu, string Pro)> CreateCohortsAsync()
    {
        string suffix = $"{Guid.NewGuid():N}"[..12];
        (string eu, string pro) = ($"eu-{suffix}", $"pro-{suffix}");
        await Server.Cohorts.CreateCohortAsync(
            new CreateCohortRequest { Cohort = new Cohort { Name = eu, Conditions = { EuCondition } } });
        await Server.Cohorts.CreateCohortAsync(
            new CreateCohortRequest { Cohort = new Cohort { Name = pro, Conditions = { ProCondition } } });
        return (eu, pro);
    }

    [Fact]
    public async Task GetPersonas_Cohorts_MatchPlainFilters()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);
        var (eu, pro) = await CreateCohortsAsync();
        var client = InsightData.Client(Server);
        var byCohort = new GetPersonasRequest
        {
            SurveyId = surveyId, Filters = { WebCondition }, CohortFilters = { eu, pro }, MinSampleSize = 1, MinSupport = 1,
        };
        var byFilter = new GetPersonasRequest
        {
            SurveyId = surveyId, Filters = { WebCondition, EuCondition, ProCondition }, MinSampleSize = 1, MinSupport = 1,
        };

        var cohortResponse = await client.GetPersonasAsync(byCohort);
        var filterResponse = await client.GetPersonasAsync(byFilter);

        var expected = rows.Where(r => r.Channel == "web" && InCohorts(r)).ToList();
        Assert.InRange(expected.Count, 10, rows.Count / 2);
        Assert.Equal(filterResponse, cohortResponse);
        Assert.Equal(expected.Count, cohortResponse.Overall.ResponseCount);
        Assert.Equal(expected.Count(r => r.IsPromoter), cohortResponse.Overall.PromoterCount);
        Assert.Equal(expected.Count(r => r.IsDetractor), cohortResponse.Overall.DetractorCount);
        Assert.Equal(expected.Count(r => r.IsPromoter), cohortResponse.Promoters.CategoryCount);
        var apac = Assert.Single(cohortResponse.Promoters.Values, v => v.Attribute.Value == "apac");
        Assert.Equal(expected.Count(r => r.Regions.Contains("apac")), apac.ResponseCount);
        Assert.Equal(expected.Count(r => r.Regions.Contains("apac") && r.IsPromoter), apac.CategoryCount);
        Assert.DoesNotContain(cohortResponse.Promoters.Values, v => v.Attribute.Value is "us" or "basic" or "app");
    }

    [Fact]
    public async Task FindPersonaCombinations_Cohorts_MatchPlainFilters()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);
        var (eu, pro) = await CreateCohortsAsync();
        var client = InsightData.Client(Server);
        AttributeRef[] attributes =
        [
            new() { Key = "channel", Scope = AttributeScope.Response },
            new() { Key = "region", Scope = AttributeScope.Customer },
        ];
        var byCohort = new FindPersonaCombinationsRequest
        {
            SurveyId = surveyId, CohortFilters = { eu, pro }, Attributes = { attributes }, MinSupport = 1, TopK = 100,
        };
        var byFilter = new FindPersonaCombinationsRequest
        {
            SurveyId = surveyId, Filters = { EuCondition, ProCondition }, Attributes = { attributes }, MinSupport = 1, TopK = 100,
        };

        var cohortResponse = await client.FindPersonaCombinationsAsync(byCohort);
        var filterResponse = await client.FindPersonaCombinationsAsync(byFilter);

        var expected = rows.Where(InCohorts).ToList();
        Assert.Equal(filterResponse, cohortResponse);
        Assert.Equal(expected.Count, cohortResponse.Overall.ResponseCount);
        Assert.Equal(expected.Count(r => r.IsPromoter), cohortResponse.Overall.PromoterCount);
        foreach (var combination in cohortResponse.Combinations)
        {
            var holders = expected.Where(r => combination.Values.All(v => v.Key == "channel"
                ? r.Channel == v.Value
                : r.Regions.Contains(v.Value))).ToList();
            Assert.Equal(holders.Count, combination.ResponseCount);
            Assert.Equal(holders.Count(r => r.IsPromoter), combination.CategoryCount);
        }

        Assert.DoesNotContain(cohortResponse.Combinations, c => c.Values.Any(v => v.Value == "us"));
    }

    [Fact]
    public async Task GetCommentThemes_Cohorts_MatchPlainFilters()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);
        var (eu, pro) = await CreateCohortsAsync();
        var client = InsightData.Client(Server);

        var cohortResponse = await client.GetCommentThemesAsync(
            new GetCommentThemesRequest { SurveyId = surveyId, CohortFilters = { eu, pro }, MinCount = 1 });
        var filterResponse = await client.GetCommentThemesAsync(
            new GetCommentThemesRequest { SurveyId = surveyId, Filters = { EuCondition, ProCondition }, MinCount = 1 });

        var commented = rows.Where(r => InCohorts(r) && r.Comment is not null).ToList();
        Assert.Equal(filterResponse, cohortResponse);
        Assert.Equal(commented.Count(r => r.IsPromoter), cohortResponse.PromoterCommentCount);
        Assert.Equal(commented.Count(r => r.IsDetractor), cohortResponse.DetractorCommentCount);
        var slow = Assert.Single(cohortResponse.DetractorThemes, t => t.Term == "slow");
        Assert.Equal(commented.Count(r => r.IsDetractor && r.Comment!.StartsWith("slow ", StringComparison.Ordinal)), slow.DetractorCount);
    }

    [Fact]
    public async Task SearchComments_Cohorts_MatchPlainFilters()
    {
        var rows = BuildRows();
        string surveyId = await InsightData.IngestAsync(Server, rows);
        var (eu, pro) = await CreateCohortsAsync();
        var client = InsightData.Client(Server);

        var cohortResponse = await client.SearchCommentsAsync(new SearchCommentsRequest
        {
            SurveyId = surveyId, Query = "board", Filters = { WebCondition }, CohortFilters = { eu, pro }, PageSize = 500,
        });
        var filterResponse = await client.SearchCommentsAsync(new SearchCommentsRequest
        {
            SurveyId = surveyId, Query = "board", Filters = { WebCondition, EuCondition, ProCondition }, PageSize = 500,
        });

        var expected = rows
            .Where(r => r.Channel == "web" && InCohorts(r) && r.Comment is not null)
            .OrderByDescending(r => r.Minute)
            .Select(r => r.Id)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(filterResponse, cohortResponse);
        Assert.Equal(expected, cohortResponse.Matches.Select(m => m.ResponseId));
        Assert.Empty(cohortResponse.NextPageToken);
    }

    [Fact]
    public async Task InsightRpcs_UnknownCohort_NotFoundNamingField()
    {
        string surveyId = await InsightData.IngestAsync(Server, BuildRows());
        var (eu, _) = await CreateCohortsAsync();
        string missing = $"missing-{Guid.NewGuid():N}";
        var client = InsightData.Client(Server);
        var calls = new Func<Task>[]
        {
            () => client.GetPersonasAsync(
                new GetPersonasRequest { SurveyId = surveyId, CohortFilters = { eu, missing } }).ResponseAsync,
            () => client.FindPersonaCombinationsAsync(new FindPersonaCombinationsRequest
            {
                SurveyId = surveyId,
                CohortFilters = { eu, missing },
                Attributes = { new AttributeRef { Key = "plan", Scope = AttributeScope.Response } },
            }).ResponseAsync,
            () => client.GetCommentThemesAsync(
                new GetCommentThemesRequest { SurveyId = surveyId, CohortFilters = { eu, missing } }).ResponseAsync,
            () => client.SearchCommentsAsync(
                new SearchCommentsRequest { SurveyId = surveyId, Query = "board", CohortFilters = { eu, missing } }).ResponseAsync,
        };

        foreach (var call in calls)
        {
            var exception = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.NotFound, exception.StatusCode);
            Assert.StartsWith($"cohort_filters[1]: cohort '{missing}' does not exist", exception.Status.Detail);
        }
    }

    [Theory]
    [InlineData("Bad_Name", "cohort_filters[0]")]
    [InlineData("", "cohort_filters[0]")]
    [InlineData("dup", "cohort_filters[1]")]
    [InlineData("too-many", "cohort_filters")]
    public async Task InsightRpcs_MalformedCohortNames_InvalidArgument(string name, string field)
    {
        // The names are checked before the survey is read, so the survey need not exist.
        string surveyId = $"missing-{Guid.NewGuid():N}"[..40];
        string[] names = name switch
        {
            "dup" => ["dup", "dup"],
            "too-many" => Enumerable.Range(0, 21).Select(i => $"c{i}").ToArray(),
            _ => [name],
        };
        var client = InsightData.Client(Server);
        var calls = new Func<Task>[]
        {
            () => client.GetPersonasAsync(
                new GetPersonasRequest { SurveyId = surveyId, CohortFilters = { names } }).ResponseAsync,
            () => client.FindPersonaCombinationsAsync(new FindPersonaCombinationsRequest
            {
                SurveyId = surveyId,
                CohortFilters = { names },
                Attributes = { new AttributeRef { Key = "plan", Scope = AttributeScope.Response } },
            }).ResponseAsync,
            () => client.GetCommentThemesAsync(
                new GetCommentThemesRequest { SurveyId = surveyId, CohortFilters = { names } }).ResponseAsync,
            () => client.SearchCommentsAsync(
                new SearchCommentsRequest { SurveyId = surveyId, Query = "board", CohortFilters = { names } }).ResponseAsync,
        };

        foreach (var call in calls)
        {
            var exception = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
            Assert.Equal(field, TestResponses.BadRequestOf(exception)!.FieldViolations.Single().Field);
        }
    }
}

using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Tests;

/// <summary>
/// 'nps cohorts' and the --cohort and --by-cohort options of the query commands, on small files written by the
/// tests and on Miro's NPS survey data set with its users' registration dates.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CohortCommandTests(ServerFixture fixture)
{
    // Miro's survey with the registration date of its users is set up once for the tests of this class.
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static string? _miroSurvey;

    private string Server => fixture.Server.Address;

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    [Fact]
    public async Task Cohorts_CreateGetListDelete_RoundTrip()
    {
        string name = UniqueName("paying");

        var create = await CliProcess.RunAsync(
            Server, "cohorts", "create", name, "--where-customer", "plan=pro|team", "--where", "channel!=web",
            "--description", "Paying customers outside the web");
        var get = await CliProcess.RunAsync(Server, "cohorts", "get", name);
        var list = await CliProcess.RunAsync(Server, "cohorts", "list", "--json");
        var delete = await CliProcess.RunAsync(Server, "cohorts", "delete", name);
        var getAgain = await CliProcess.RunAsync(Server, "cohorts", "get", name);

        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("condition: response channel!=web", get.Stdout);
        Assert.Contains("condition: customer plan=pro|team", get.Stdout);
        Assert.Contains("description: Paying customers outside the web", get.Stdout);
        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = Assert.Single(list.ParseJson<ListCohortsResponse>().Cohorts, c => c.Name == name);
        Assert.Equal(2, listed.Conditions.Count);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Equal(3, getAgain.ExitCode);
        Assert.Contains("does not exist", getAgain.Stderr);
    }

    [Fact]
    public async Task CohortsCreate_NoCondition_UsageError()
    {
        var result = await CliProcess.RunAsync(Server, "cohorts", "create", UniqueName("empty"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--where", result.Stderr);
    }

    [Fact]
    public async Task CohortsCreate_InvalidName_ServerRejects()
    {
        var result = await CliProcess.RunAsync(Server, "cohorts", "create", "Not_Valid", "--where-customer", "plan=pro");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cohort.name", result.Stderr);
    }

    [Fact]
    public async Task Segments_CohortOptions_FilterAndGroup()
    {
        string prefix = TestFiles.UniquePrefix();
        string paying = UniqueName("paying");
        string app = UniqueName("app");
        using var customers = new TemporaryCsv(
            $"customer,plan\n{prefix}-1,pro\n{prefix}-2,team\n{prefix}-3,free\n{prefix}-4,pro\n");
        using var responses = new TemporaryCsv(
            "id,customer,score,channel\n" +
            $"1,{prefix}-1,10,app\n2,{prefix}-1,9,web\n3,{prefix}-2,3,app\n4,{prefix}-3,10,app\n" +
            $"5,{prefix}-3,0,web\n6,{prefix}-4,8,web\n7,{prefix}-4,10,web\n");
        string survey = await fixture.Server.CreateSurveyAsync("cohort-cli");
        await RunOkAsync("customers", customers.Path, "--customer-id", "customer", "--attribute", "plan=plan");
        await RunOkAsync(
            "ingest", responses.Path, "--survey", survey, "--response-id", "id", "--customer-id", "customer",
            "--score", "score", "--attribute", "channel=channel", "--responded-at", "2026-03-01T00:00:00Z");
        await RunOkAsync("cohorts", "create", paying, "--where-customer", "plan=pro|team");
        await RunOkAsync("cohorts", "create", app, "--where", "channel=app");

        var filtered = await RunOkAsync("segments", "--survey", survey, "--cohort", paying, "--cohort", app, "--json");
        var grouped = await RunOkAsync("segments", "--survey", survey, "--by-cohort", paying, "--by-cohort", app, "--json");
        var table = await RunOkAsync("segments", "--survey", survey, "--by-cohort", paying);

        // Paying customers gave 10, 9, 3, 8 and 10. Their responses on the app gave 10 and 3.
        var overall = filtered.ParseNpsJson().Overall;
        Assert.Equal(2, overall.ResponseCount);
        Assert.Equal(0, overall.Nps, 9);
        var groups = grouped.ParseNpsJson().Groups;
        Assert.Equal([paying, app], groups.Select(g => g.Cohort));
        Assert.Equal(5, groups[0].Statistics.ResponseCount);
        Assert.Equal(100.0 * (3 - 1) / 5, groups[0].Statistics.Nps, 9);
        Assert.Equal(3, groups[1].Statistics.ResponseCount);
        Assert.Equal(100.0 * (2 - 1) / 3, groups[1].Statistics.Nps, 9);
        Assert.Contains("cohort", table.Stdout);
        Assert.Matches($@"{paying}\s*│\s*5\s", table.Stdout);
    }

    [Theory]
    [InlineData(2019, 156, 56.41)]
    [InlineData(2020, 206, 62.62)]
    public async Task CohortsTrend_MiroRegistrationYear_MatchesPublishedFigures(int year, long expectedCount, double expectedNps)
    {
        string survey = await MiroSurveyAsync();

        var result = await RunOkAsync(
            "cohorts", "trend", "--survey", survey, "--by-date-customer", "registered", "--cohort-width", "year",
            "--period", "year", "--from", "2020-01-01", "--to", "2021-01-01", "--json");

        var response = result.ParseJson<GetCohortMatrixResponse>();
        var cohort = Assert.Single(response.Cohorts, c => c.Label == year.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expectedCount, cohort.Overall.ResponseCount);
        Assert.Equal(expectedNps, Math.Round(cohort.Overall.Nps, 2));
        Assert.Equal(expectedCount, Assert.Single(cohort.Points).Statistics.ResponseCount);
        long counted = response.Cohorts.Sum(c => c.Overall.ResponseCount);
        Assert.Equal(441, counted + response.MissingDateCount + response.InvalidDateCount);
        Assert.Equal(0, response.InvalidDateCount);
    }

    [Fact]
    public async Task CohortsTrend_MiroTable_ShowsCohortRows()
    {
        string survey = await MiroSurveyAsync();

        var result = await RunOkAsync(
            "cohorts", "trend", "--survey", survey, "--by-date-customer", "registered", "--cohort-width", "year",
            "--period", "year", "--from", "2020-01-01", "--to", "2021-01-01");

        string row = Assert.Single(result.Stdout.Split('\n'), line => line.Contains("│ 2019 "));
        Assert.Matches(@"│\s*156\s*│\s*56\.4\s*│", row);
    }

    [Fact]
    public async Task CohortsTrend_TwoSources_UsageError()
    {
        var result = await CliProcess.RunAsync(
            Server, "cohorts", "trend", "--survey", "any", "--by-date-customer", "signup", "--first-response",
            "--from", "2020-01-01", "--to", "2021-01-01");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("exactly one of", result.Stderr);
    }

    private async Task<CliResult> RunOkAsync(params string[] args)
    {
        var result = await CliProcess.RunAsync(Server, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private async Task<string> MiroSurveyAsync()
    {
        await SetupLock.WaitAsync();
        try
        {
            return _miroSurvey ??= await CreateMiroSurveyAsync();
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private async Task<string> CreateMiroSurveyAsync()
    {
        // roles.csv has one fully blank row, which the command reports as unparsable (exit code 1). Blank dates add
        // no value, so those users have no registered attribute.
        var customers = await CliProcess.RunAsync(
            Server, "customers", TestFiles.SharedData("miro-nps/roles.csv"), "--customer-id", "user_id",
            "--attribute", "registered=user_registered_date");
        Assert.True(customers.ExitCode == 1, customers.ToString());
        Assert.Equal(1, customers.Count("unparsable"));

        string survey = await fixture.Server.CreateSurveyAsync("miro-cohorts");
        await RunOkAsync(
            "ingest", TestFiles.SharedData("miro-nps/nps.csv"), "--survey", survey, "--customer-id", "user_id",
            "--score", "NPS_Score", "--comment", "text", "--responded-at", "2020-07-01T00:00:00Z");
        return survey;
    }
}

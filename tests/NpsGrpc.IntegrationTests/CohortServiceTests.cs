using Google.Rpc;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class CohortServiceTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private static string UniqueName(string prefix = "k") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static AttributeCondition CustomerIn(string key, params string[] values) =>
        new() { Key = key, Scope = AttributeScope.Customer, Operator = ConditionOperator.In, Values = { values } };

    private static string ViolatedField(RpcException exception) =>
        Assert.Single(exception.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field;

    private async Task<Cohort> CreateAsync(string name, params AttributeCondition[] conditions)
    {
        var response = await Server.Cohorts.CreateCohortAsync(new CreateCohortRequest
        {
            Cohort = new Cohort { Name = name, Description = "Paying customers", Conditions = { conditions } },
        });
        return response.Cohort;
    }

    [Fact]
    public async Task CreateCohort_Valid_RoundTrips()
    {
        string name = UniqueName();
        var conditions = new[]
        {
            CustomerIn("plan", "pro", "team"),
            new AttributeCondition { Key = "channel", Scope = AttributeScope.Response, Operator = ConditionOperator.Missing },
        };

        var created = await CreateAsync(name, conditions);
        var fetched = (await Server.Cohorts.GetCohortAsync(new GetCohortRequest { Name = name })).Cohort;

        Assert.Equal(name, fetched.Name);
        Assert.Equal("Paying customers", fetched.Description);
        Assert.Equal(conditions, fetched.Conditions);
        Assert.Equal(created.CreateTime, fetched.CreateTime);
        Assert.True((DateTime.UtcNow - fetched.CreateTime.ToDateTime()).Duration() < TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task CreateCohort_DuplicateName_AlreadyExists()
    {
        string name = UniqueName();
        await CreateAsync(name, CustomerIn("plan", "pro"));

        var exception = await Assert.ThrowsAsync<RpcException>(() => CreateAsync(name, CustomerIn("plan", "free")));

        Assert.Equal(StatusCode.AlreadyExists, exception.StatusCode);
        Assert.Contains(name, exception.Status.Detail);
        var stored = (await Server.Cohorts.GetCohortAsync(new GetCohortRequest { Name = name })).Cohort;
        Assert.Equal("pro", Assert.Single(Assert.Single(stored.Conditions).Values));
    }

    public static TheoryData<string, Cohort?> InvalidCohorts() => new()
    {
        { "cohort", null },
        { "cohort.name", new Cohort { Name = "", Conditions = { CustomerIn("plan", "pro") } } },
        { "cohort.name", new Cohort { Name = "Pro-Plan", Conditions = { CustomerIn("plan", "pro") } } },
        { "cohort.name", new Cohort { Name = "-pro", Conditions = { CustomerIn("plan", "pro") } } },
        { "cohort.name", new Cohort { Name = "pro plan", Conditions = { CustomerIn("plan", "pro") } } },
        { "cohort.name", new Cohort { Name = new string('a', 64), Conditions = { CustomerIn("plan", "pro") } } },
        { "cohort.description", new Cohort { Name = "ok", Description = new string('d', 2001), Conditions = { CustomerIn("plan", "pro") } } },
        { "cohort.conditions", new Cohort { Name = "ok" } },
        { "cohort.conditions", new Cohort { Name = "ok", Conditions = { Enumerable.Range(0, 21).Select(_ => CustomerIn("plan", "pro")) } } },
        { "cohort.conditions[1].key", new Cohort { Name = "ok", Conditions = { CustomerIn("plan", "pro"), CustomerIn("1plan", "pro") } } },
        {
            "cohort.conditions[0].scope",
            new Cohort { Name = "ok", Conditions = { new AttributeCondition { Key = "plan", Operator = ConditionOperator.Present } } }
        },
        {
            "cohort.conditions[0].operator",
            new Cohort { Name = "ok", Conditions = { new AttributeCondition { Key = "plan", Scope = AttributeScope.Customer } } }
        },
        {
            "cohort.conditions[0].values",
            new Cohort
            {
                Name = "ok",
                Conditions =
                {
                    new AttributeCondition
                    {
                        Key = "plan", Scope = AttributeScope.Customer, Operator = ConditionOperator.Equals, Values = { "a", "b" },
                    },
                },
            }
        },
        { "cohort.conditions[0].values[0]", new Cohort { Name = "ok", Conditions = { CustomerIn("plan", new string('v', 1025)) } } },
    };

    [Theory]
    [MemberData(nameof(InvalidCohorts))]
    public async Task CreateCohort_InvalidField_InvalidArgument(string field, Cohort? cohort)
    {
        var request = new CreateCohortRequest();
        if (cohort is not null)
        {
            request.Cohort = cohort.Clone();
        }

        var exception = await Assert.ThrowsAsync<RpcException>(() => Server.Cohorts.CreateCohortAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal(field, ViolatedField(exception));
    }

    [Fact]
    public async Task ListCohorts_SmallPages_ReturnEveryCohortOnce()
    {
        string prefix = UniqueName("list");
        var names = Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}").ToList();
        foreach (string name in names)
        {
            await CreateAsync(name, CustomerIn("plan", "pro"));
        }

        var listed = new List<string>();
        string token = "";
        int pages = 0;
        do
        {
            var page = await Server.Cohorts.ListCohortsAsync(new ListCohortsRequest { PageSize = 2, PageToken = token });
            Assert.True(page.Cohorts.Count <= 2);
            listed.AddRange(page.Cohorts.Select(c => c.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 10_000);

        Assert.Equal(names, listed.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        Assert.Equal(listed.Distinct().Count(), listed.Count);
    }

    [Theory]
    [InlineData(-1, "", "page_size")]
    [InlineData(0, "not-a-token", "page_token")]
    public async Task ListCohorts_InvalidPaging_InvalidArgument(int pageSize, string token, string field)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() =>
            Server.Cohorts.ListCohortsAsync(new ListCohortsRequest { PageSize = pageSize, PageToken = token }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal(field, ViolatedField(exception));
    }

    [Fact]
    public async Task DeleteCohort_Existing_RemovesIt()
    {
        string name = UniqueName();
        await CreateAsync(name, CustomerIn("plan", "pro"));
        string surveyId = await Server.CreateSurveyAsync();

        await Server.Cohorts.DeleteCohortAsync(new DeleteCohortRequest { Name = name });

        var get = await Assert.ThrowsAsync<RpcException>(() =>
            Server.Cohorts.GetCohortAsync(new GetCohortRequest { Name = name }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        var query = await Assert.ThrowsAsync<RpcException>(() =>
            Server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId, CohortFilters = { name } }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, query.StatusCode);
        var again = await Assert.ThrowsAsync<RpcException>(() =>
            Server.Cohorts.DeleteCohortAsync(new DeleteCohortRequest { Name = name }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("UPPER")]
    [InlineData("a_b")]
    public async Task GetAndDelete_MalformedName_InvalidArgument(string name)
    {
        var get = await Assert.ThrowsAsync<RpcException>(() =>
            Server.Cohorts.GetCohortAsync(new GetCohortRequest { Name = name }).ResponseAsync);
        var delete = await Assert.ThrowsAsync<RpcException>(() =>
            Server.Cohorts.DeleteCohortAsync(new DeleteCohortRequest { Name = name }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, get.StatusCode);
        Assert.Equal("name", ViolatedField(get));
        Assert.Equal(StatusCode.InvalidArgument, delete.StatusCode);
        Assert.Equal("name", ViolatedField(delete));
    }
}

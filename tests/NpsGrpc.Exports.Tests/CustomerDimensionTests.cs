using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Exports.Tests;

/// <summary>
/// The customer dimension on its two paths: ids collected from the fact rows of a target's first run, and ids read
/// from the database by later runs or when the collected ids pass their memory limit.
/// </summary>
public sealed class CustomerDimensionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private TestDatabase? _database;

    private string ConnectionString => _database!.ConnectionString;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync("nps_customers");

    public async Task DisposeAsync() => await (_database?.DisposeAsync() ?? ValueTask.CompletedTask);

    [Fact]
    public async Task FirstAndLaterRuns_ListSameCustomers()
    {
        await using var server = await RunningServer.StartAsync(ConnectionString, Settings(customerIdMemoryMiB: 256));
        string surveyId = await server.CreateSurveyAsync("dimpaths");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(server, surveyId,
        [
            ExportKit.Response("p1", 9, Start, "cust-a"),
            ExportKit.Response("p2", 3, Start.AddMinutes(1), "cust-b"),
            ExportKit.Response("p3", 7, Start.AddMinutes(2), "cust-a"),
        ]);

        // cust-b has attributes, and cust-z was upserted but never answered this survey.
        await UpsertAsync(server, ("cust-b", "gold"), ("cust-z", "silver"));
        var target = await ExportKit.CreateTargetAsync(server, destination, surveyId);
        await ExportKit.RunAsync(server, target.TargetId);
        var first = ReadCustomers(destination);

        await ExportKit.IngestAsync(server, surveyId, [ExportKit.Response("p4", 10, Start.AddMinutes(3), "cust-c")]);
        await ExportKit.RunAsync(server, target.TargetId);
        var second = ReadCustomers(destination);

        Assert.Equal(["cust-a", "cust-b"], first.Select(c => c.Id));
        Assert.Equal([null, "gold"], first.Select(c => c.Tier));
        Assert.Null(first[0].UpdatedAt);
        Assert.NotNull(first[1].UpdatedAt);
        Assert.Equal(["cust-a", "cust-b", "cust-c"], second.Select(c => c.Id));
        Assert.Equal([null, "gold", null], second.Select(c => c.Tier));
        Assert.Equal(first[1].UpdatedAt, second[1].UpdatedAt);
    }

    [Fact]
    public async Task CollectedIdsOverLimit_ReadFromDatabase()
    {
        // With 2 MiB, the set's slots must double past 45,875 ids and would pass the limit, so the first run gives up on
        // its set in the middle of the fact rows and scans instead.
        const int Customers = 50_000;
        await using var server = await RunningServer.StartAsync(ConnectionString, Settings(customerIdMemoryMiB: 2));
        string surveyId = await server.CreateSurveyAsync("dimlimit");
        string destination = ExportKit.NewDestination();
        var responses = Enumerable.Range(0, Customers + 1000)
            .Select(i => ExportKit.Response($"o{i}", i % 11, Start.AddSeconds(i), $"many-{i % Customers}"))
            .ToList();
        await ExportKit.IngestAsync(server, surveyId, responses);
        await UpsertAsync(server, ("many-7", "gold"));
        var target = await ExportKit.CreateTargetAsync(server, destination, surveyId);
        await ExportKit.RunAsync(server, target.TargetId);

        var customers = ReadCustomers(destination);
        Assert.Equal(Customers, customers.Count);
        Assert.Equal(Customers, customers.Select(c => c.Id).Distinct().Count());
        Assert.Equal("gold", Assert.Single(customers, c => c.Id == "many-7").Tier);
        using var duck = ExportKit.OpenDuckDb();
        string fact = $"read_parquet({ExportKit.FileList(destination, "fact_response")})";
        string dimension = $"read_parquet({ExportKit.FileList(destination, "dim_customer")})";
        Assert.Equal(0, ExportKit.Scalar(duck, $"SELECT count(*) FROM {fact} f ANTI JOIN {dimension} c USING (customer_id)"));
    }

    private static List<(string Id, string? Tier, object? UpdatedAt)> ReadCustomers(string destination)
    {
        using var duck = ExportKit.OpenDuckDb();
        var columns = ExportKit.Describe(duck, destination, "dim_customer");
        string tier = columns.ContainsKey("attr_tier") ? "attr_tier" : "NULL";
        return ExportKit.Query(
                duck,
                $"SELECT customer_id, {tier}, updated_at FROM read_parquet({ExportKit.FileList(destination, "dim_customer")}) ORDER BY customer_id")
            .Select(r => ((string)r[0]!, r[1] as string, r[2]))
            .ToList();
    }

    private static async Task UpsertAsync(RunningServer server, params (string Id, string Tier)[] customers)
    {
        var request = new UpsertCustomersRequest { BatchId = $"cb-{Guid.NewGuid():N}" };
        foreach ((string id, string tier) in customers)
        {
            request.Customers.Add(new Customer { CustomerId = id, Attributes = { ["tier"] = new AttributeValues { Values = { tier } } } });
        }

        using var call = server.Ingest.UpsertCustomers();
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.CompleteAsync();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
        }
    }

    private static Dictionary<string, string?> Settings(int customerIdMemoryMiB) => new()
    {
        ["Exports:PollInterval"] = "00:00:00.100",
        ["Exports:CustomerIdMemoryMiB"] = customerIdMemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

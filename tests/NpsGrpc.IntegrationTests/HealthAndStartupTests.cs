using Dapper;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpsGrpc.Storage.Migrations;
using NpsGrpc.Testing;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class HealthAndStartupTests(ServerFixture fixture)
{
    [Fact]
    public async Task HealthCheck_DatabaseUp_Serving()
    {
        var health = new Health.HealthClient(fixture.Server.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task HealthCheck_DatabaseUnreachable_NotServing()
    {
        // Port 1 on loopback has no PostgreSQL, so every connection attempt is refused at once.
        await using var server = await RunningServer.StartAsync(
            "Host=127.0.0.1;Port=1;Username=postgres;Database=nps;Timeout=1",
            new Dictionary<string, string?> { ["Database:StartupWait"] = "00:00:01" });
        var health = new Health.HealthClient(server.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, response.Status);
    }

    [Fact]
    public async Task Rpc_DatabaseUnreachable_Unavailable()
    {
        await using var server = await RunningServer.StartAsync(
            "Host=127.0.0.1;Port=1;Username=postgres;Database=nps;Timeout=1",
            new Dictionary<string, string?> { ["Database:StartupWait"] = "00:00:01" });

        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await server.Surveys.GetSurveyAsync(new NpsGrpc.V1.GetSurveyRequest { SurveyId = "any" }));

        Assert.Equal(Grpc.Core.StatusCode.Unavailable, error.StatusCode);
        Assert.DoesNotContain("Npgsql", error.Status.Detail);
    }

    [Fact]
    public async Task Reflection_ListsEveryService()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("nps.v1.SurveyService", names);
        Assert.Contains("nps.v1.IngestService", names);
        Assert.Contains("nps.v1.QueryService", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Fact]
    public async Task Migrations_TwoRunnersAtOnce_ApplyEachScriptOnce()
    {
        await using var database = await TestDatabase.CreateAsync("nps_migrate");
        await using var first = NpgsqlDataSource.Create(database.ConnectionString);
        await using var second = NpgsqlDataSource.Create(database.ConnectionString);

        int[] applied = await Task.WhenAll(
            new MigrationRunner(first, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None),
            new MigrationRunner(second, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None));

        await using var connection = await first.OpenConnectionAsync();
        var versions = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations")).ToList();
        Assert.Equal(versions.Count, applied.Sum());
        Assert.Equal(versions.Distinct().Count(), versions.Count);
        Assert.Contains(1, versions);
    }
}

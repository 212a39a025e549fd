using NpsGrpc.Testing;

namespace NpsGrpc.Cli.Tests;

/// <summary>The 'nps surveys' commands against a real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class SurveyCommandTests(ServerFixture fixture)
{
    [Fact]
    public async Task Create_ThenGet_ShowsSurvey()
    {
        string id = $"cli-{Guid.NewGuid():N}";

        var create = await CliProcess.RunAsync(
            fixture.Server.Address,
            "surveys", "create", "--id", id, "--name", "Checkout", "--description", "After payment");
        var get = await CliProcess.RunAsync(fixture.Server.Address, "surveys", "get", id);

        Assert.Equal(0, create.ExitCode);
        Assert.Contains($"Created survey {id}.", create.Stdout);
        Assert.Equal(0, get.ExitCode);
        Assert.Contains($"id: {id}", get.Stdout);
        Assert.Contains("name: Checkout", get.Stdout);
        Assert.Contains("description: After payment", get.Stdout);
    }

    [Fact]
    public async Task List_SmallPages_FollowsEveryPage()
    {
        string[] ids = [await fixture.Server.CreateSurveyAsync("list"), await fixture.Server.CreateSurveyAsync("list")];

        var result = await CliProcess.RunAsync(fixture.Server.Address, "surveys", "list", "--page-size", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(ids[0], result.Stdout);
        Assert.Contains(ids[1], result.Stdout);
    }

    [Fact]
    public async Task Create_ExistingId_ExitsWithThree()
    {
        string id = await fixture.Server.CreateSurveyAsync("dup");

        var result = await CliProcess.RunAsync(
            fixture.Server.Address, "surveys", "create", "--id", id, "--name", "Again");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("AlreadyExists", result.Stderr);
    }
}

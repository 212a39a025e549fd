using System.Text.Json;
using Grpc.Core;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Testing;
using NpsGrpc.V1;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests.Operations;

/// <summary>The console log of a server process: the JSON format, the scope fields and what must never appear.</summary>
public sealed class LogTests
{
    private const string IngestRpc = "/nps.v1.IngestService/StreamResponses";

    [Fact]
    public async Task JsonFormat_EntriesParseWithScopeFields()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await ServerProcess.StartAsync(
            database.ConnectionString, new Dictionary<string, string> { ["Logging__LogLevel__NpsGrpc"] = "Debug" });
        string surveyId = await server.CreateSurveyAsync("logs");
        await StreamAsync(server.Ingest, Batch(surveyId, "json-batch", Range("j", 5)));

        await server.StopAsync();

        var entries = new List<JsonElement>();
        foreach (string line in server.OutputLines.Where(line => line.Length > 0))
        {
            using var document = JsonDocument.Parse(line);
            entries.Add(document.RootElement.Clone());
        }

        var committed = Assert.Single(entries, entry => entry.GetProperty("EventId").GetInt32() == 30);
        var scope = Assert.Single(
            committed.GetProperty("Scopes").EnumerateArray(),
            s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("Rpc", out _));
        Assert.Equal(IngestRpc, scope.GetProperty("Rpc").GetString());
        Assert.Equal(surveyId, scope.GetProperty("SurveyId").GetString());
        Assert.Equal("json-batch", scope.GetProperty("BatchId").GetString());
        Assert.Equal("Debug", committed.GetProperty("LogLevel").GetString());
    }

    [Fact]
    public async Task TraceLevel_NeverLogsCommentsOrKeys()
    {
        string comment = $"comment-marker-{Guid.NewGuid():N}";
        string attribute = $"attribute-marker-{Guid.NewGuid():N}";
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Logging__LogLevel__Grpc"] = "Trace",
            ["Ingest__MaxCommentLength"] = "80",
        });
        string surveyId = await server.CreateSurveyAsync("redact");

        // The server's channel sends a real API key on every call. Its secret part follows the key id, and may itself
        // contain underscores, so it is cut at a fixed position rather than at the last underscore.
        string key = server.ApiKey;
        string secret = key[(ApiKeySecret.Prefix.Length + ApiKeySecret.KeyIdLength + 1)..];
        Assert.Equal(43, secret.Length);

        // A stored comment and attribute value, a comment over the length limit, a conflicting resend with another
        // comment, an invalid score with a comment and attribute value, and a batch for an unknown survey that ends the
        // stream with NOT_FOUND.
        var stored = WithComment(Make("r-1", 3), comment);
        stored.Attributes.Add("channel", attribute);
        var tooLong = WithComment(Make("r-2", 4), comment + new string('x', 80));
        var conflict = WithComment(Make("r-1", 3), comment + " changed");
        var badScore = WithComment(Make("r-3", 12), comment);
        badScore.Attributes.Add("channel", attribute);
        using (var call = server.Ingest.StreamResponses())
        {
            await call.RequestStream.WriteAsync(Batch(surveyId, "redact-1", [stored, tooLong]));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await call.RequestStream.WriteAsync(Batch(surveyId, "redact-2", [conflict, badScore]));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(2, call.ResponseStream.Current.Result.RejectedCount);
            await call.RequestStream.WriteAsync(Batch("no-such-survey", "redact-3", [stored]));
            var missing = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }

        await server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = surveyId });
        await Assert.ThrowsAsync<RpcException>(
            async () => await server.Query.GetNpsAsync(new GetNpsRequest { SurveyId = "BAD ID" }));
        await server.StopAsync();

        string log = string.Join('\n', server.OutputLines);
        Assert.Contains("redact-2", log);
        Assert.Contains("/nps.v1.QueryService/GetNps", log);
        Assert.DoesNotContain(comment, log);
        Assert.DoesNotContain(key, log);
        Assert.DoesNotContain(secret, log);
        Assert.DoesNotContain(attribute, log);
    }

    private static SurveyResponse WithComment(SurveyResponse response, string comment)
    {
        response.Comment = comment;
        return response;
    }
}

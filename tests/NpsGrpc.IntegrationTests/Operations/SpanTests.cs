using System.Collections.Concurrent;
using System.Diagnostics;
using NpsGrpc.Domain.Telemetry;
using NpsGrpc.Testing;
using static NpsGrpc.IntegrationTests.TestResponses;

namespace NpsGrpc.IntegrationTests.Operations;

[Collection(ServerCollection.Name)]
public sealed class SpanTests(ServerFixture fixture)
{
    [Fact]
    public async Task IngestBatch_SpanCarriesSurveyAndCounts()
    {
        string surveyId = await fixture.Server.CreateSurveyAsync("span");
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.ActivitySource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => spans.Add(activity),
        };
        ActivitySource.AddActivityListener(listener);
        var responses = Range("s", 12);
        responses.Add(Make("s-bad", 11));

        await StreamAsync(fixture.Server.Ingest, Batch(surveyId, "span-1", responses));

        // The listener receives the spans of every test in this process, so the check picks this survey's batch.
        var span = Assert.Single(spans, s => Equals(s.GetTagItem("nps.survey.id"), surveyId));
        Assert.Equal("nps.ingest.batch", span.OperationName);
        Assert.Equal("span-1", span.GetTagItem("nps.batch.id"));
        Assert.Equal(13, span.GetTagItem("nps.batch.size"));
        Assert.Equal(12, span.GetTagItem("nps.batch.accepted"));
        Assert.Equal(1, span.GetTagItem("nps.batch.rejected"));
    }
}

using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Benchmarks.Generation;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Load;

/// <summary>
/// Builds the batches of one load stream: new time-ordered (version 7) UUIDs as response ids, scores drawn from the
/// generator's score mix, region, plan and channel from its attribute values, and responded_at within the last 30 days.
/// </summary>
public sealed class LoadResponses(int seed)
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);

    private readonly Random _random = new(seed);

    /// <summary>Builds the next batch of <paramref name="size"/> responses for <paramref name="surveyId"/>.</summary>
    public StreamResponsesRequest NextBatch(string surveyId, string batchId, int size)
    {
        var request = new StreamResponsesRequest { SurveyId = surveyId, BatchId = batchId };
        var now = DateTime.UtcNow;
        for (int index = 0; index < size; index++)
        {
            var respondedAt = now - TimeSpan.FromSeconds(_random.NextDouble() * Window.TotalSeconds);
            var response = new SurveyResponse
            {
                ResponseId = Guid.CreateVersion7(respondedAt).ToString(),
                CustomerId = $"cust-{_random.Next(100_000):D6}",
                Score = DrawScore(),
                RespondedAt = Timestamp.FromDateTime(respondedAt),
            };
            response.Attributes.Add("region", Pick(SurveyProfile.Regions));
            response.Attributes.Add("plan", Pick(SurveyProfile.Plans));
            response.Attributes.Add("channel", Pick(SurveyProfile.Channels));
            request.Responses.Add(response);
        }

        return request;
    }

    private int DrawScore()
    {
        double draw = _random.NextDouble();
        if (draw < SurveyProfile.BasePromoterShare)
        {
            return 9 + _random.Next(2);
        }

        return draw < SurveyProfile.BasePromoterShare + SurveyProfile.BaseDetractorShare ? _random.Next(7) : 7 + _random.Next(2);
    }

    private string Pick(Generation.AttributeValue[] values) => values[_random.Next(values.Length)].Name;
}

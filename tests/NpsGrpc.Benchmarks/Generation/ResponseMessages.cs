using Google.Protobuf.WellKnownTypes;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Generation;

/// <summary>Converts generated responses to the messages of IngestService.StreamResponses.</summary>
public static class ResponseMessages
{
    /// <summary>Builds the message of one response, with region, plan and channel as response attributes.</summary>
    public static SurveyResponse ToMessage(GeneratedResponse response)
    {
        var message = new SurveyResponse
        {
            ResponseId = response.ResponseId,
            CustomerId = response.CustomerId,
            Score = response.Score,
            RespondedAt = Timestamp.FromDateTime(response.RespondedAt),
            Comment = response.Comment ?? string.Empty,
        };
        message.Attributes.Add("region", response.Region);
        message.Attributes.Add("plan", response.Plan);
        message.Attributes.Add("channel", response.Channel);
        return message;
    }
}

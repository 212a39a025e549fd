using NpsGrpc.Benchmarks.Generation;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Ingest;

/// <summary>Builds the StreamResponses requests before timing, so that only sending them is measured.</summary>
public static class RequestBatches
{
    /// <summary>Splits <paramref name="responses"/> into requests of up to <paramref name="batchSize"/> each.</summary>
    public static IReadOnlyList<StreamResponsesRequest> Build(
        IReadOnlyList<GeneratedResponse> responses, string surveyId, int batchSize)
    {
        var batches = new List<StreamResponsesRequest>((responses.Count + batchSize - 1) / batchSize);
        for (int start = 0; start < responses.Count; start += batchSize)
        {
            var request = new StreamResponsesRequest { SurveyId = surveyId, BatchId = $"batch-{batches.Count:D7}" };
            int end = Math.Min(start + batchSize, responses.Count);
            for (int index = start; index < end; index++)
            {
                request.Responses.Add(ResponseMessages.ToMessage(responses[index]));
            }

            batches.Add(request);
        }

        return batches;
    }
}

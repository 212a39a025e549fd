using System.Collections;
using Grpc.Core;

namespace NpsGrpc.Server.Observability;

/// <summary>
/// The log scope of one gRPC call: the RPC, and the survey and batch it is working on. Log entries written during
/// the call carry these fields (as <c>Rpc</c>, <c>SurveyId</c> and <c>BatchId</c> in the JSON console format). A
/// streaming ingest call updates the survey and batch for each batch it reads, so an entry names the batch in hand.
/// </summary>
/// <remarks>
/// Only ids go into the scope: never a comment, an attribute value or request metadata. Ids longer than
/// <see cref="MaxIdLength"/> characters, which validation rejects anyway, are cut so a bad request cannot flood the log.
/// </remarks>
public sealed class CallLogScope(string rpc) : IReadOnlyList<KeyValuePair<string, object?>>
{
    /// <summary>Longest id kept in full; longer ones are cut and marked with an ellipsis.</summary>
    public const int MaxIdLength = 128;

    private static readonly object UserStateKey = new();

    /// <summary>The full gRPC method name, for example <c>/nps.v1.IngestService/StreamResponses</c>.</summary>
    public string Rpc { get; } = rpc;

    /// <summary>The survey id (or comma-separated ids) of the request or the current batch, or empty.</summary>
    public string SurveyId { get; private set; } = "";

    /// <summary>The id of the batch being ingested; empty outside ingest.</summary>
    public string BatchId { get; private set; } = "";

    /// <inheritdoc />
    public int Count => 3;

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("Rpc", Rpc),
        1 => new("SurveyId", SurveyId),
        2 => new("BatchId", BatchId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Returns the scope that the observability interceptor attached to <paramref name="context"/>, if any.</summary>
    public static CallLogScope? Of(ServerCallContext context) =>
        context.UserState.TryGetValue(UserStateKey, out var scope) ? scope as CallLogScope : null;

    /// <summary>Attaches this scope to <paramref name="context"/> so the service method can update it.</summary>
    public void AttachTo(ServerCallContext context) => context.UserState[UserStateKey] = this;

    /// <summary>Sets the survey id.</summary>
    public void SetSurvey(string surveyId) => SurveyId = Cut(surveyId);

    /// <summary>Sets the survey and batch of the batch being ingested.</summary>
    public void SetBatch(string surveyId, string batchId)
    {
        SurveyId = Cut(surveyId);
        BatchId = Cut(batchId);
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int index = 0; index < Count; index++)
        {
            yield return this[index];
        }
    }

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Formats the scope for the simple console format: <c>Rpc:... SurveyId:... BatchId:...</c>.</summary>
    public override string ToString() => $"Rpc:{Rpc} SurveyId:{SurveyId} BatchId:{BatchId}";

    private static string Cut(string id) => id.Length <= MaxIdLength ? id : string.Concat(id.AsSpan(0, MaxIdLength), "…");
}

using System.Collections.Concurrent;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Surveys;

namespace NpsGrpc.Server.Ingest;

/// <summary>
/// Checks that a survey exists, remembering the ones found: surveys are never deleted, so a survey found once
/// stays valid and the ingest path queries the database once per survey, not once per batch.
/// </summary>
public sealed class SurveyDirectory(SurveyStore surveys)
{
    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    /// <summary>Throws INVALID_ARGUMENT for a malformed id and NOT_FOUND for a survey that does not exist.</summary>
    public async Task EnsureExistsAsync(string surveyId, CancellationToken cancellationToken)
    {
        if (!Identifiers.IsSurveyId(surveyId))
        {
            throw RpcErrors.InvalidArgument("survey_id", InvalidSurveyIdMessage(surveyId));
        }

        if (_known.ContainsKey(surveyId))
        {
            return;
        }

        if (await surveys.GetAsync(surveyId, cancellationToken) is null)
        {
            throw RpcErrors.NotFound(
                $"Survey '{surveyId}' does not exist. Create it first with SurveyService.CreateSurvey " +
                $"(from the command line: nps surveys create --id {surveyId} --name NAME).");
        }

        _known.TryAdd(surveyId, true);
    }

    /// <summary>Message for a malformed survey id.</summary>
    public static string InvalidSurveyIdMessage(string surveyId) =>
        surveyId.Length == 0
            ? "survey_id is required"
            : $"survey_id '{(surveyId.Length > 64 ? surveyId[..64] + "..." : surveyId)}' is invalid; use 1 to " +
              $"{Identifiers.MaxSurveyIdLength} lowercase letters, digits and hyphens, not starting with a hyphen";
}

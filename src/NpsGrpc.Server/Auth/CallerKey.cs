using NpsGrpc.Storage.ApiKeys;

namespace NpsGrpc.Server.Auth;

/// <summary>The accepted API key of a call: its id, scopes, survey limit and expiry.</summary>
/// <param name="KeyId">Non-secret id of the key.</param>
/// <param name="Scopes">Scopes granted.</param>
/// <param name="SurveyIds">Surveys the key is limited to; empty when it is not limited.</param>
/// <param name="ExpireTime">When the key stops working, in UTC; null when it does not expire.</param>
public sealed record CallerKey(
    string KeyId, IReadOnlySet<AccessScope> Scopes, IReadOnlySet<string> SurveyIds, DateTime? ExpireTime)
{
    /// <summary>Whether the key is limited to a list of surveys.</summary>
    public bool IsSurveyLimited => SurveyIds.Count > 0;
}

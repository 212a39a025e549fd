using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Auth;

/// <summary>
/// Checks a CreateApiKey request and turns it into storage values, or throws INVALID_ARGUMENT naming the field.
/// </summary>
public static class ApiKeyRequestValidator
{
    /// <summary>Longest display name, in characters.</summary>
    public const int MaxDisplayNameLength = 100;

    /// <summary>Most surveys one key may be limited to.</summary>
    public const int MaxSurveyIds = 100;

    /// <summary>The checked values of a new key.</summary>
    public sealed record NewKey(
        string DisplayName, IReadOnlyList<AccessScope> Scopes, IReadOnlyList<string> SurveyIds, DateTime? ExpireTime);

    /// <summary>
    /// Checks <paramref name="apiKey"/> against the rules of CreateApiKeyRequest.api_key at <paramref name="now"/>.
    /// </summary>
    public static NewKey Check(ApiKey? apiKey, DateTime now)
    {
        if (apiKey is null)
        {
            throw RpcErrors.InvalidArgument("api_key", "api_key is required");
        }

        string name = apiKey.DisplayName.Trim();
        if (name.Length == 0)
        {
            throw RpcErrors.InvalidArgument("api_key.display_name", "api_key.display_name is required");
        }

        if (Identifiers.CheckName(name, MaxDisplayNameLength) is { } nameProblem)
        {
            throw RpcErrors.InvalidArgument("api_key.display_name", $"api_key.display_name {nameProblem}");
        }

        return new NewKey(name, CheckScopes(apiKey), CheckSurveyIds(apiKey), CheckExpireTime(apiKey.ExpireTime, now));
    }

    /// <summary>Maps a stored scope to its API value.</summary>
    public static ApiKeyScope ToMessage(AccessScope scope) => scope switch
    {
        AccessScope.Ingest => ApiKeyScope.Ingest,
        AccessScope.Query => ApiKeyScope.Query,
        AccessScope.Export => ApiKeyScope.Export,
        AccessScope.Admin => ApiKeyScope.Admin,
        _ => ApiKeyScope.Unspecified,
    };

    private static AccessScope? FromMessage(ApiKeyScope scope) => scope switch
    {
        ApiKeyScope.Ingest => AccessScope.Ingest,
        ApiKeyScope.Query => AccessScope.Query,
        ApiKeyScope.Export => AccessScope.Export,
        ApiKeyScope.Admin => AccessScope.Admin,
        _ => null,
    };

    private static List<AccessScope> CheckScopes(ApiKey apiKey)
    {
        if (apiKey.Scopes.Count == 0)
        {
            throw RpcErrors.InvalidArgument(
                "api_key.scopes",
                "api_key.scopes is required: give at least one of API_KEY_SCOPE_INGEST, _QUERY, _EXPORT, _ADMIN");
        }

        var scopes = new List<AccessScope>();
        for (int i = 0; i < apiKey.Scopes.Count; i++)
        {
            if (FromMessage(apiKey.Scopes[i]) is not { } scope)
            {
                throw RpcErrors.InvalidArgument(
                    $"api_key.scopes[{i}]",
                    $"api_key.scopes[{i}] is {ProtoNames.Of(apiKey.Scopes[i])}; " +
                    "use API_KEY_SCOPE_INGEST, _QUERY, _EXPORT or _ADMIN");
            }

            if (!scopes.Contains(scope))
            {
                scopes.Add(scope);
            }
        }

        return scopes;
    }

    private static List<string> CheckSurveyIds(ApiKey apiKey)
    {
        if (apiKey.SurveyIds.Count > MaxSurveyIds)
        {
            throw RpcErrors.InvalidArgument(
                "api_key.survey_ids",
                $"api_key.survey_ids has {apiKey.SurveyIds.Count} entries; the maximum is {MaxSurveyIds}");
        }

        var surveyIds = new List<string>();
        for (int i = 0; i < apiKey.SurveyIds.Count; i++)
        {
            string surveyId = apiKey.SurveyIds[i];
            string field = $"api_key.survey_ids[{i}]";
            if (!Identifiers.IsSurveyId(surveyId))
            {
                throw RpcErrors.InvalidArgument(field, $"{field}: {SurveyDirectory.InvalidSurveyIdMessage(surveyId)}");
            }

            if (surveyIds.Contains(surveyId, StringComparer.Ordinal))
            {
                throw RpcErrors.InvalidArgument(field, $"{field} repeats survey '{surveyId}'");
            }

            surveyIds.Add(surveyId);
        }

        return surveyIds;
    }

    private static DateTime? CheckExpireTime(Timestamp? expireTime, DateTime now)
    {
        if (expireTime is null)
        {
            return null;
        }

        // Timestamp.ToDateTime accepts 0001-01-01 to 9999-12-31 with nanos 0 to 999,999,999 and throws otherwise.
        DateTime expire;
        try
        {
            expire = expireTime.ToDateTime();
        }
        catch (InvalidOperationException)
        {
            throw RpcErrors.InvalidArgument(
                "api_key.expire_time",
                $"api_key.expire_time {expireTime.Seconds} s {expireTime.Nanos} ns is not a valid timestamp between " +
                "0001-01-01 and 9999-12-31");
        }

        if (expire <= now)
        {
            throw RpcErrors.InvalidArgument(
                "api_key.expire_time",
                $"api_key.expire_time {expire:yyyy-MM-dd'T'HH:mm:ss'Z'} is not in the future " +
                $"(server time {now:yyyy-MM-dd'T'HH:mm:ss'Z'})");
        }

        return expire;
    }
}

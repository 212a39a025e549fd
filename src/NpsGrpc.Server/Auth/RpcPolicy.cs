using Google.Protobuf;
using NpsGrpc.Storage.ApiKeys;

namespace NpsGrpc.Server.Auth;

/// <summary>
/// What a call to one RPC requires: a key with one of <see cref="Scopes"/>, and for a key limited to surveys, a
/// request that names only those surveys.
/// </summary>
/// <param name="Method">Full method name, such as /nps.v1.QueryService/GetNps.</param>
/// <param name="Scopes">Scopes that allow the call; any one of them is enough.</param>
/// <param name="NamedSurveys">
/// Returns the survey ids a request message names, leaving out empty ones. An empty result means the request is not
/// confined to named surveys (it reads or changes every survey, or selects data by another id), so a key limited to
/// surveys may not make it.
/// </param>
public sealed record RpcPolicy(
    string Method, IReadOnlyList<AccessScope> Scopes, Func<IMessage, IReadOnlyList<string>> NamedSurveys)
{
    /// <summary>The scope names joined for a message, such as "query" or "admin or ingest".</summary>
    public string ScopeText => string.Join(" or ", Scopes.Select(AccessScopes.Name));
}

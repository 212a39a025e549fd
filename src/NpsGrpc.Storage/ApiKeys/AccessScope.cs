namespace NpsGrpc.Storage.ApiKeys;

/// <summary>What an API key may do; the server maps every RPC to the scopes that allow it.</summary>
public enum AccessScope
{
    /// <summary>Ingest responses and customers, and create surveys.</summary>
    Ingest,

    /// <summary>Read figures, insights, cohorts, goals and follow-ups, and work through follow-ups.</summary>
    Query,

    /// <summary>Manage export targets and runs.</summary>
    Export,

    /// <summary>Manage API keys and create surveys.</summary>
    Admin,
}

/// <summary>The names under which scopes are stored in api_keys.scopes and shown to people.</summary>
public static class AccessScopes
{
    /// <summary>Every scope, in declaration order.</summary>
    public static IReadOnlyList<AccessScope> All { get; } = Enum.GetValues<AccessScope>();

    /// <summary>The stored name of <paramref name="scope"/>: ingest, query, export or admin.</summary>
    public static string Name(AccessScope scope) => scope switch
    {
        AccessScope.Ingest => "ingest",
        AccessScope.Query => "query",
        AccessScope.Export => "export",
        AccessScope.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown access scope."),
    };

    /// <summary>Parses a stored scope name; returns false for a name this version does not know.</summary>
    public static bool TryParse(string name, out AccessScope scope)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                scope = candidate;
                return true;
            }
        }

        scope = default;
        return false;
    }
}

using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Cli.Keys;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps keys' commands: create, list and revoke API keys.</summary>
internal sealed class KeysCommand
{
    private const int PageSize = 200;

    private readonly Option<string> _name = new("--name")
    {
        Description = "Display name of the key, 1 to 100 characters, such as the service that uses it. Keys that are " +
            "not revoked have distinct names.",
        HelpName = "NAME",
        Required = true,
    };

    private readonly Option<string[]> _scopes = new("--scope")
    {
        Description = "Scope to grant: ingest, query, export or admin. Repeat the option for several scopes.",
        HelpName = "SCOPE",
        Required = true,
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string[]> _surveys = new("--survey")
    {
        Description = "Limit the key to this survey. Repeat the option for several surveys; without it the key " +
            "works for every survey.",
        HelpName = "SURVEY_ID",
    };

    private readonly Option<string?> _expires = new("--expires")
    {
        Description = "When the key stops working: an ISO 8601 instant with an offset (2027-01-01T00:00:00Z), or a " +
            "number of days from now (90d). Default: never.",
        HelpName = "WHEN",
    };

    private readonly Option<string?> _connectionString = new("--connection-string")
    {
        Description = "Create the key directly in this PostgreSQL database (Npgsql connection string), without a " +
            "server or an API key; applies the server's migrations first. Use it to create the first admin key.",
        HelpName = "TEXT",
    };

    private readonly Option<bool> _includeRevoked = new("--include-revoked")
    {
        Description = "List revoked keys too.",
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print the API response as JSON (protobuf JSON mapping) instead of text.",
    };

    private readonly Argument<string> _keyId = new("KEY_ID")
    {
        Description = "Id of the key: the 12 characters after 'nps_' in the key, as 'nps keys list' shows.",
    };

    /// <summary>Creates the 'keys' command and its subcommands.</summary>
    public static Command Create() => new KeysCommand().Build();

    private Command Build()
    {
        var create = new Command(
            "create",
            "Create an API key and print it once on stdout; it cannot be shown again. With --connection-string the " +
            "key is written straight to the database, which is how the first admin key is made.")
        {
            _name, _scopes, _surveys, _expires, _connectionString, _json,
        };
        CommandActions.Set(create, CreateAsync);

        var list = new Command("list", "List API keys, ordered by id, without their secrets.") { _includeRevoked, _json };
        CommandActions.Set(list, ListAsync);

        var revoke = new Command(
            "revoke",
            "Revoke an API key. The server that handles the call rejects it at once; other server instances within " +
            "their Auth:CacheDuration (30 seconds by default).")
        {
            _keyId, _json,
        };
        CommandActions.Set(revoke, RevokeAsync);

        return new Command(
            "keys", "Manage API keys (needs a key with the admin scope, except 'create --connection-string').")
        {
            create, list, revoke,
        };
    }

    private async Task<int> CreateAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var apiKey = new ApiKey { DisplayName = parseResult.GetRequiredValue(_name) };
        apiKey.Scopes.AddRange(parseResult.GetRequiredValue(_scopes).Select(ParseScope));
        apiKey.SurveyIds.AddRange(parseResult.GetValue(_surveys) ?? []);
        if (parseResult.GetValue(_expires) is { } expires)
        {
            apiKey.ExpireTime = Timestamp.FromDateTimeOffset(ParseExpiry(expires, DateTimeOffset.UtcNow));
        }

        CreateApiKeyResponse response;
        if (parseResult.GetValue(_connectionString) is { } connectionString)
        {
            response = await DirectKeyWriter.CreateAsync(connectionString, apiKey, cancellationToken);
        }
        else
        {
            using var channel = ServerConnection.OpenChannel(parseResult);
            var client = new ApiKeyService.ApiKeyServiceClient(channel);
            var request = new CreateApiKeyRequest { ApiKey = apiKey };
            response = await client.CreateApiKeyAsync(request, cancellationToken: cancellationToken);
        }

        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        // Only the key goes to stdout, so that scripts can capture it with $(...).
        await Console.Error.WriteLineAsync(
            $"Created API key {response.ApiKey.KeyId} ({response.ApiKey.DisplayName}) with scopes " +
            $"{string.Join(", ", response.ApiKey.Scopes.Select(ScopeName))}. It is shown only now; " +
            "store it in a secret manager.");
        Console.WriteLine(response.Secret);
        return ExitCodes.Success;
    }

    private async Task<int> ListAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ApiKeyService.ApiKeyServiceClient(channel);
        var request = new ListApiKeysRequest { PageSize = PageSize, IncludeRevoked = parseResult.GetValue(_includeRevoked) };
        var all = new ListApiKeysResponse();
        do
        {
            var page = await client.ListApiKeysAsync(request, cancellationToken: cancellationToken);
            all.ApiKeys.AddRange(page.ApiKeys);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(all);
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("id", "name", "scopes", "surveys", "created", "expires", "revoked", "last used");
        foreach (var key in all.ApiKeys)
        {
            table.AddRow(
                TerminalText.Cell(key.KeyId),
                TerminalText.Cell(key.DisplayName),
                TerminalText.Cell(string.Join(",", key.Scopes.Select(ScopeName))),
                TerminalText.Cell(key.SurveyIds.Count == 0 ? "all" : string.Join(",", key.SurveyIds)),
                TerminalText.Cell(FormatTime(key.CreateTime)),
                TerminalText.Cell(FormatTime(key.ExpireTime)),
                TerminalText.Cell(FormatTime(key.RevokeTime)),
                TerminalText.Cell(FormatTime(key.LastUsedTime)));
        }

        Consoles.CreateStdout().Write(table);
        return ExitCodes.Success;
    }

    private async Task<int> RevokeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var channel = ServerConnection.OpenChannel(parseResult);
        var client = new ApiKeyService.ApiKeyServiceClient(channel);
        var request = new RevokeApiKeyRequest { KeyId = parseResult.GetRequiredValue(_keyId) };
        var response = await client.RevokeApiKeyAsync(request, cancellationToken: cancellationToken);
        if (parseResult.GetValue(_json))
        {
            JsonOutput.Write(response);
            return ExitCodes.Success;
        }

        Console.WriteLine(
            $"Revoked API key {response.ApiKey.KeyId} ({response.ApiKey.DisplayName}) " +
            $"at {FormatTime(response.ApiKey.RevokeTime)}.");
        return ExitCodes.Success;
    }

    /// <summary>Parses a --scope value, case-insensitively.</summary>
    internal static ApiKeyScope ParseScope(string text) => text.Trim().ToLowerInvariant() switch
    {
        "ingest" => ApiKeyScope.Ingest,
        "query" => ApiKeyScope.Query,
        "export" => ApiKeyScope.Export,
        "admin" => ApiKeyScope.Admin,
        _ => throw new UsageException($"--scope '{text}' is not a scope; use ingest, query, export or admin."),
    };

    /// <summary>
    /// Parses an --expires value: an instant with an offset, or "Nd" for N days after <paramref name="now"/>.
    /// </summary>
    internal static DateTimeOffset ParseExpiry(string text, DateTimeOffset now)
    {
        string trimmed = text.Trim();
        if (trimmed.EndsWith('d')
            && int.TryParse(trimmed[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int days)
            && days is > 0 and <= 36_500)
        {
            return now.AddDays(days);
        }

        bool hasOffset = trimmed.EndsWith('Z') || trimmed.LastIndexOfAny(['+', '-']) > trimmed.IndexOf('T');
        if (trimmed.Contains('T') && hasOffset
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return instant.ToUniversalTime();
        }

        throw new UsageException(
            $"--expires '{text}' is invalid; give an ISO 8601 instant with an offset, such as 2027-01-01T00:00:00Z, " +
            "or a number of days from 1 to 36500, such as 90d.");
    }

    /// <summary>The lowercase name of a scope, as --scope takes it.</summary>
    internal static string ScopeName(ApiKeyScope scope) => scope switch
    {
        ApiKeyScope.Ingest => "ingest",
        ApiKeyScope.Query => "query",
        ApiKeyScope.Export => "export",
        ApiKeyScope.Admin => "admin",
        _ => ((int)scope).ToString(CultureInfo.InvariantCulture),
    };

    private static string FormatTime(Timestamp? time) =>
        time?.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}

using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Storage.ApiKeys;
using NpsGrpc.Storage.Migrations;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Keys;

/// <summary>
/// Creates an API key straight in PostgreSQL, without a server: the way to make the first admin key of a fresh
/// database, and to regain access when every admin key is lost. A user with the connection string can already read
/// and change every table, so this path grants nothing new.
/// </summary>
internal static class DirectKeyWriter
{
    private const int MaxDisplayNameLength = 100;
    private const int MaxSurveyIds = 100;

    /// <summary>
    /// Applies the server's migrations to <paramref name="connectionString"/>, then stores <paramref name="apiKey"/>
    /// with the rules the server applies to CreateApiKey.
    /// </summary>
    /// <exception cref="UsageException">A value is invalid, the name is taken, or the database cannot be used.</exception>
    public static async Task<CreateApiKeyResponse> CreateAsync(
        string connectionString, ApiKey apiKey, CancellationToken cancellationToken)
    {
        var key = Check(apiKey);
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = NpgsqlDataSource.Create(connectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or KeyNotFoundException or FormatException)
        {
            // Npgsql's parser raises KeyNotFoundException for an empty keyword, as in "a;;=", with a message about a
            // dictionary that would not help the user.
            string problem = exception is KeyNotFoundException ? "a keyword is empty or unknown." : exception.Message;
            throw new UsageException(
                $"--connection-string is invalid: {problem} Give keyword=value pairs separated by semicolons, " +
                "for example Host=127.0.0.1;Port=5432;Username=postgres;Database=nps.");
        }

        await using (dataSource)
        {
            try
            {
                await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(cancellationToken);
                var created = await new ApiKeyStore(dataSource).CreateAsync(
                        key.DisplayName, key.Scopes, key.SurveyIds, key.ExpireTime, cancellationToken)
                    ?? throw new UsageException(
                        $"An API key named '{key.DisplayName}' already exists and is not revoked; choose another --name.");
                var message = new ApiKey
                {
                    KeyId = created.Record.KeyId,
                    DisplayName = created.Record.DisplayName,
                    CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(created.Record.CreateTime, DateTimeKind.Utc)),
                    ExpireTime = apiKey.ExpireTime,
                };
                message.Scopes.AddRange(apiKey.Scopes.Distinct());
                message.SurveyIds.AddRange(key.SurveyIds);
                return new CreateApiKeyResponse { ApiKey = message, Secret = created.Key };
            }
            catch (NpgsqlException exception)
            {
                // The message of an Npgsql exception names the host and the problem, never the password.
                throw new UsageException($"Cannot create the key in the database: {exception.Message}");
            }
        }
    }

    private sealed record NewKey(string DisplayName, List<AccessScope> Scopes, List<string> SurveyIds, DateTime? ExpireTime);

    private static NewKey Check(ApiKey apiKey)
    {
        string name = apiKey.DisplayName.Trim();
        if (name.Length == 0 || Identifiers.CheckName(name, MaxDisplayNameLength) is not null)
        {
            throw new UsageException($"--name must be 1 to {MaxDisplayNameLength} printable characters.");
        }

        var scopes = apiKey.Scopes.Distinct().Select(scope => scope switch
        {
            ApiKeyScope.Ingest => AccessScope.Ingest,
            ApiKeyScope.Query => AccessScope.Query,
            ApiKeyScope.Export => AccessScope.Export,
            ApiKeyScope.Admin => AccessScope.Admin,
            _ => throw new UsageException($"--scope {scope} is not a scope; use ingest, query, export or admin."),
        }).ToList();

        if (apiKey.SurveyIds.Count > MaxSurveyIds)
        {
            throw new UsageException(
                $"A key may be limited to at most {MaxSurveyIds} surveys; {apiKey.SurveyIds.Count} were given.");
        }

        var surveyIds = new List<string>();
        foreach (string surveyId in apiKey.SurveyIds)
        {
            if (!Identifiers.IsSurveyId(surveyId))
            {
                throw new UsageException(
                    $"--survey '{surveyId}' is not a survey id; use 1 to 63 lowercase letters, digits and hyphens.");
            }

            if (surveyIds.Contains(surveyId, StringComparer.Ordinal))
            {
                throw new UsageException($"--survey '{surveyId}' is given twice.");
            }

            surveyIds.Add(surveyId);
        }

        DateTime? expireTime = apiKey.ExpireTime?.ToDateTime();
        if (expireTime <= DateTime.UtcNow)
        {
            throw new UsageException("--expires is not in the future.");
        }

        return new NewKey(name, scopes, surveyIds, expireTime);
    }
}

using Dapper;
using Npgsql;

namespace NpsGrpc.Storage.Surveys;

/// <summary>Reads and writes surveys.</summary>
public sealed class SurveyStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "survey_id AS SurveyId, display_name AS DisplayName, description AS Description, create_time AS CreateTime";

    /// <summary>Inserts a survey and returns it with its creation time, or null when the id is taken.</summary>
    public async Task<SurveyRecord?> CreateAsync(string surveyId, string displayName, string description, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SurveyRecord>(new CommandDefinition(
            $"""
            INSERT INTO surveys (survey_id, display_name, description) VALUES (@surveyId, @displayName, @description)
            ON CONFLICT (survey_id) DO NOTHING
            RETURNING {Columns}
            """,
            new { surveyId, displayName, description },
            cancellationToken: cancellationToken));
    }

    /// <summary>Returns the survey, or null when there is none with that id.</summary>
    public async Task<SurveyRecord?> GetAsync(string surveyId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SurveyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM surveys WHERE survey_id = @surveyId", new { surveyId }, cancellationToken: cancellationToken));
    }

    /// <summary>Returns up to <paramref name="limit"/> surveys with ids after <paramref name="afterSurveyId"/>, ordered by id.</summary>
    public async Task<IReadOnlyList<SurveyRecord>> ListAsync(string? afterSurveyId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SurveyRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM surveys
            WHERE @afterSurveyId::text IS NULL OR survey_id > @afterSurveyId
            ORDER BY survey_id
            LIMIT @limit
            """,
            new { afterSurveyId, limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }
}

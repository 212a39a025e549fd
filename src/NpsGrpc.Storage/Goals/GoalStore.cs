using Dapper;
using Npgsql;

namespace NpsGrpc.Storage.Goals;

/// <summary>Reads and writes NPS goals.</summary>
public sealed class GoalStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "goal_id AS GoalId, survey_id AS SurveyId, definition AS Definition, create_time AS CreateTime";

    /// <summary>Inserts a goal and returns it with its creation time, or null when the id is taken.</summary>
    public async Task<GoalRecord?> CreateAsync(string goalId, string surveyId, byte[] definition, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<GoalRecord>(new CommandDefinition(
            $"""
            INSERT INTO nps_goals (goal_id, survey_id, definition) VALUES (@goalId, @surveyId, @definition)
            ON CONFLICT (goal_id) DO NOTHING
            RETURNING {Columns}
            """,
            new { goalId, surveyId, definition },
            cancellationToken: cancellationToken));
    }

    /// <summary>Returns the goal, or null when there is none with that id.</summary>
    public async Task<GoalRecord?> GetAsync(string goalId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<GoalRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM nps_goals WHERE goal_id = @goalId", new { goalId }, cancellationToken: cancellationToken));
    }

    /// <summary>Returns up to <paramref name="limit"/> goals with ids after <paramref name="afterGoalId"/>, ordered by id.</summary>
    public async Task<IReadOnlyList<GoalRecord>> ListAsync(
        string? surveyId, string? afterGoalId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<GoalRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM nps_goals
            WHERE (@surveyId::text IS NULL OR survey_id = @surveyId)
              AND (@afterGoalId::text IS NULL OR goal_id > @afterGoalId)
            ORDER BY goal_id
            LIMIT @limit
            """,
            new { surveyId, afterGoalId, limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Deletes the goal and returns whether it existed.</summary>
    public async Task<bool> DeleteAsync(string goalId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM nps_goals WHERE goal_id = @goalId", new { goalId }, cancellationToken: cancellationToken)) == 1;
    }
}

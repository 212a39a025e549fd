using Dapper;
using Npgsql;

namespace NpsGrpc.Storage.Cohorts;

/// <summary>Reads and writes named cohorts.</summary>
public sealed class CohortStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "name AS Name, description AS Description, conditions::text AS Conditions, create_time AS CreateTime";

    /// <summary>Inserts a cohort and returns it with its creation time, or null when the name is taken.</summary>
    public async Task<CohortRecord?> CreateAsync(
        string name, string description, string conditions, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CohortRecord>(new CommandDefinition(
            $"""
            INSERT INTO cohorts (name, description, conditions) VALUES (@name, @description, @conditions::jsonb)
            ON CONFLICT (name) DO NOTHING
            RETURNING {Columns}
            """,
            new { name, description, conditions },
            cancellationToken: cancellationToken));
    }

    /// <summary>Returns the cohort, or null when there is none with that name.</summary>
    public async Task<CohortRecord?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CohortRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM cohorts WHERE name = @name", new { name }, cancellationToken: cancellationToken));
    }

    /// <summary>Returns the cohorts with the given names; names without a cohort are not in the result.</summary>
    public async Task<IReadOnlyList<CohortRecord>> GetManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CohortRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM cohorts WHERE name = ANY(@names)",
            new { names = names.ToArray() },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Returns up to <paramref name="limit"/> cohorts with names after <paramref name="afterName"/>, ordered by name.</summary>
    public async Task<IReadOnlyList<CohortRecord>> ListAsync(string? afterName, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CohortRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM cohorts
            WHERE @afterName::text IS NULL OR name > @afterName
            ORDER BY name
            LIMIT @limit
            """,
            new { afterName, limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Deletes the cohort and returns whether it existed.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM cohorts WHERE name = @name", new { name }, cancellationToken: cancellationToken));
        return deleted > 0;
    }
}

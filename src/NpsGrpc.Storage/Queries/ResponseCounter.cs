using Npgsql;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Storage.Rollups;

namespace NpsGrpc.Storage.Queries;

/// <summary>
/// Counts promoters, passives and detractors (and weight sums) for queries. A query whose filters and grouping
/// attributes are all rollup keys reads the rollups, which give the same counts as the raw rows;
/// any other query reads the raw rows.
/// </summary>
public sealed class ResponseCounter(NpgsqlDataSource dataSource, RollupOptions rollups, RollupState rollupState)
{
    /// <summary>Whether <paramref name="query"/> would read the rollups.</summary>
    public bool UsesRollups(CountQuery query)
    {
        if (!rollups.UseForQueries || !rollupState.IsReady)
        {
            return false;
        }

        var keys = rollups.NormalizedKeys;
        return query.Filters.All(f => f.Source == AttributeSource.Response && keys.Contains(f.Key, StringComparer.Ordinal))
            && query.GroupBy.All(g => g.Source == AttributeSource.Response && keys.Contains(g.Key, StringComparer.Ordinal));
    }

    /// <summary>Runs every query in one round trip and returns the rows of each, in query order.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<CountRow>>> CountAsync(
        IReadOnlyList<CountQuery> queries, CancellationToken cancellationToken)
    {
        var fromRollups = queries.Select(UsesRollups).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        for (int i = 0; i < queries.Count; i++)
        {
            batch.BatchCommands.Add(fromRollups[i] ? RollupCountCommand.Build(queries[i]) : RawCountCommand.Build(queries[i]));
        }

        var results = new List<IReadOnlyList<CountRow>>(queries.Count);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        for (int i = 0; i < queries.Count; i++)
        {
            var rows = new List<CountRow>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(ReadRow(reader, queries[i], fromRollups[i]));
            }

            results.Add(rows);
            await reader.NextResultAsync(cancellationToken);
        }

        return results;
    }

    private static CountRow ReadRow(NpgsqlDataReader reader, CountQuery query, bool fromRollups)
    {
        int column = 0;
        var values = new string?[query.GroupBy.Count];
        for (int i = 0; i < values.Length; i++, column++)
        {
            values[i] = reader.IsDBNull(column) ? null : reader.GetString(column);
        }

        DateOnly? bucket = null;
        if (query.Bucketing is { } bucketing)
        {
            bucket = fromRollups ? bucketing.Buckets[reader.GetInt32(column)].Start : reader.GetFieldValue<DateOnly>(column);
            column++;
        }

        // Empty aggregates (no matching row) come back as NULL sums from the rollup path.
        long Count(int offset) => reader.IsDBNull(column + offset) ? 0 : reader.GetInt64(column + offset);
        double Sum(int offset) => reader.IsDBNull(column + offset) ? 0 : reader.GetDouble(column + offset);

        var counts = new NpsCounts(Count(0), Count(1), Count(2));
        var weights = query.Weighted ? new WeightedNpsCounts(Sum(3), Sum(4), Sum(5), Sum(6)) : default;
        return new CountRow(values, bucket, counts, weights);
    }
}

using System.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Storage.Connections;
using NpsGrpc.Storage.Rollups;

namespace NpsGrpc.Storage.Queries;

/// <summary>
/// Counts promoters, passives and detractors (and weight sums) for queries. A query whose filters and grouping
/// attributes are all rollup keys reads the rollups, which give the same counts as the raw rows;
/// any other query reads the raw rows.
/// </summary>
public sealed class ResponseCounter(
    [FromKeyedServices(DataSourceKeys.ReadOnly)] NpgsqlDataSource dataSource, RollupOptions rollups, RollupState rollupState)
{
    /// <summary>
    /// Whether <paramref name="query"/> would read the rollups, given the rollup keys stored in the database (which
    /// every ingest batch follows) and this instance's settings.
    /// </summary>
    public bool UsesRollups(CountQuery query, IReadOnlyCollection<string> storedKeys)
    {
        if (!rollups.UseForQueries || !rollupState.IsReady)
        {
            return false;
        }

        return query.Filters.All(f => f.Source == AttributeSource.Response && storedKeys.Contains(f.Key, StringComparer.Ordinal))
            && query.GroupBy.All(g => g.Source == AttributeSource.Response && storedKeys.Contains(g.Key, StringComparer.Ordinal));
    }

    /// <summary>Whether <paramref name="query"/> would read the rollups with this instance's configured keys.</summary>
    public bool UsesRollups(CountQuery query) => UsesRollups(query, rollups.NormalizedKeys);

    /// <summary>
    /// Runs every query in one round trip and returns the rows of each, in query order. All queries read one
    /// snapshot (a read-only repeatable-read transaction), so overall and group figures agree while ingest runs.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<CountRow>>> CountAsync(
        IReadOnlyList<CountQuery> queries, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        // Another instance may have rebuilt the rollups for other keys; only the stored keys are in the rollups.
        string[] storedKeys;
        await using (var keys = new NpgsqlCommand("SELECT attribute_keys FROM rollup_settings", connection, transaction))
        {
            storedKeys = (string[])(await keys.ExecuteScalarAsync(cancellationToken))!;
        }

        var fromRollups = queries.Select(q => UsesRollups(q, storedKeys)).ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction);
        for (int i = 0; i < queries.Count; i++)
        {
            batch.BatchCommands.Add(fromRollups[i] ? RollupCountCommand.Build(queries[i]) : RawCountCommand.Build(queries[i]));
        }

        var results = new List<IReadOnlyList<CountRow>>(queries.Count);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            for (int i = 0; i < queries.Count; i++)
            {
                var rows = new List<CountRow>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(ReadRow(reader, queries[i].GroupBy.Count, queries[i].Bucketing, queries[i].Weighted, fromRollups[i]));
                }

                results.Add(rows);
                await reader.NextResultAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>
    /// Counts <paramref name="query"/>, which must have time buckets and no grouping attributes, grouped by the local
    /// date of each customer's first response in the query's surveys. Each row's single group value is that date as
    /// YYYY-MM-DD. It always reads the raw rows, because the first response of a customer is not in the rollups.
    /// </summary>
    public async Task<IReadOnlyList<CountRow>> CountByFirstResponseAsync(CountQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { FirstResponseCountCommand.Build(query) } };
        var rows = new List<CountRow>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadRow(reader, 1, query.Bucketing, query.Weighted, fromRollups: false));
        }

        return rows;
    }

    private static CountRow ReadRow(
        NpgsqlDataReader reader, int groupCount, TimeBucketing? bucketing, bool weighted, bool fromRollups)
    {
        int column = 0;
        var values = new string?[groupCount];
        for (int i = 0; i < values.Length; i++, column++)
        {
            values[i] = reader.IsDBNull(column) ? null : reader.GetString(column);
        }

        DateOnly? bucket = null;
        if (bucketing is not null)
        {
            bucket = fromRollups ? bucketing.Buckets[reader.GetInt32(column)].Start : reader.GetFieldValue<DateOnly>(column);
            column++;
        }

        // Empty aggregates (no matching row) come back as NULL sums from the rollup path.
        long Count(int offset) => reader.IsDBNull(column + offset) ? 0 : reader.GetInt64(column + offset);
        double Sum(int offset) => reader.IsDBNull(column + offset) ? 0 : reader.GetDouble(column + offset);

        var counts = new NpsCounts(Count(0), Count(1), Count(2));
        var weights = weighted ? new WeightedNpsCounts(Sum(3), Sum(4), Sum(5), Sum(6)).KeepingOnly(counts) : default;
        return new CountRow(values, bucket, counts, weights);
    }
}

using System.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Storage.Connections;
using NpsGrpc.Storage.Queries;

namespace NpsGrpc.Storage.Insights;

/// <summary>Counts categories per attribute value over the raw response rows, for persona profiles.</summary>
public sealed class AttributeValueCounter([FromKeyedServices(DataSourceKeys.ReadOnly)] NpgsqlDataSource dataSource)
{
    private const string Counts =
        "count(*) FILTER (WHERE b.score >= 9), count(*) FILTER (WHERE b.score BETWEEN 7 AND 8), " +
        "count(*) FILTER (WHERE b.score <= 6)";

    /// <summary>
    /// Counts the responses <paramref name="selection"/> selects (its grouping and weighting are ignored), overall and
    /// per value of <paramref name="attributes"/>, or of every attribute key found when that is null. One statement
    /// reads one snapshot, so the overall and per-value counts agree while ingest runs.
    /// </summary>
    public async Task<AttributeValueCounts> CountAsync(
        CountQuery selection, IReadOnlyList<GroupingAttribute>? attributes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        string where = ResponseSelection.Bind(selection, command.Parameters);

        var parts = new List<string> { $"SELECT -1, NULL, NULL, {Counts} FROM base b" };
        string[]? responseKeys = attributes?.Where(a => a.Source == AttributeSource.Response).Select(a => a.Key).ToArray();
        string[]? customerKeys = attributes?.Where(a => a.Source == AttributeSource.Customer).Select(a => a.Key).ToArray();
        if (responseKeys is null || responseKeys.Length > 0)
        {
            string keyCondition = responseKeys is null ? string.Empty : "WHERE kv.key = ANY(@responseKeys)";
            parts.Add($"SELECT 0, kv.key, kv.value, {Counts} FROM base b CROSS JOIN LATERAL jsonb_each_text(b.attributes) kv " +
                      $"{keyCondition} GROUP BY kv.key, kv.value");
            command.Parameters.AddWithValue("responseKeys", NpgsqlDbType.Array | NpgsqlDbType.Text, responseKeys ?? []);
        }

        if (customerKeys is null || customerKeys.Length > 0)
        {
            string keyCondition = customerKeys is null ? string.Empty : "AND ca.key = ANY(@customerKeys)";
            parts.Add($"SELECT 1, ca.key, ca.value, {Counts} FROM base b JOIN customer_attributes ca " +
                      $"ON ca.customer_id = b.customer_id {keyCondition} GROUP BY ca.key, ca.value");
            command.Parameters.AddWithValue("customerKeys", NpgsqlDbType.Array | NpgsqlDbType.Text, customerKeys ?? []);
        }

        command.CommandText =
            $"WITH base AS MATERIALIZED (SELECT r.customer_id, r.score, r.attributes FROM responses r WHERE {where}) " +
            string.Join(" UNION ALL ", parts);

        NpsCounts overall = default;
        var values = new List<AttributeValueCount>();
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var counts = new NpsCounts(reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
            int source = reader.GetInt32(0);
            if (source < 0)
            {
                overall = counts;
                continue;
            }

            var attributeSource = source == 0 ? AttributeSource.Response : AttributeSource.Customer;
            values.Add(new AttributeValueCount(attributeSource, reader.GetString(1), reader.GetString(2), counts));
        }

        return new AttributeValueCounts(overall, values);
    }
}

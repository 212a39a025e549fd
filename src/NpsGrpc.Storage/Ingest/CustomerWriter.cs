using Npgsql;
using NpgsqlTypes;
using NpsGrpc.Domain.Validation;

namespace NpsGrpc.Storage.Ingest;

/// <summary>
/// Upserts customers and their attributes. For each customer, every attribute key given replaces all stored
/// values of that key; keys not given are left alone. A batch commits whole or not at all.
/// </summary>
public sealed class CustomerWriter(NpgsqlDataSource dataSource)
{
    // One row per value; a key with no values (key removal) is a row with a null value, and a customer with
    // no keys at all is a row with a null key.
    private const string CreateStagingSql =
        """
        CREATE TEMP TABLE IF NOT EXISTS customer_staging (
            customer_id text NOT NULL,
            key         text,
            value       text
        ) ON COMMIT DELETE ROWS
        """;

    private const string CopySql = "COPY customer_staging (customer_id, key, value) FROM STDIN (FORMAT BINARY)";

    // Rows are touched in key order so that concurrent batches lock them in the same order.
    private const string ApplySql =
        """
        INSERT INTO customers (customer_id, update_time)
        SELECT DISTINCT customer_id, now() FROM customer_staging ORDER BY customer_id
        ON CONFLICT (customer_id) DO UPDATE SET update_time = excluded.update_time;

        DELETE FROM customer_attributes a
        USING (SELECT DISTINCT customer_id, key FROM customer_staging WHERE key IS NOT NULL) s
        WHERE a.customer_id = s.customer_id AND a.key = s.key;

        INSERT INTO customer_attributes (customer_id, key, value)
        SELECT customer_id, key, value FROM customer_staging WHERE value IS NOT NULL
        ORDER BY customer_id, key, value
        ON CONFLICT DO NOTHING;
        """;

    /// <summary>Applies <paramref name="customers"/>, whose ids must be distinct, in one transaction.</summary>
    public async Task WriteAsync(IReadOnlyList<ValidatedCustomer> customers, CancellationToken cancellationToken)
    {
        if (customers.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var create = new NpgsqlCommand(CreateStagingSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken))
        {
            foreach (var customer in customers)
            {
                if (customer.Attributes.Count == 0)
                {
                    await WriteRowAsync(importer, customer.CustomerId, null, null, cancellationToken);
                }

                foreach ((string key, string[] values) in customer.Attributes)
                {
                    if (values.Length == 0)
                    {
                        await WriteRowAsync(importer, customer.CustomerId, key, null, cancellationToken);
                    }

                    foreach (string value in values)
                    {
                        await WriteRowAsync(importer, customer.CustomerId, key, value, cancellationToken);
                    }
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await using (var apply = new NpgsqlCommand(ApplySql, connection, transaction))
        {
            await apply.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task WriteRowAsync(
        NpgsqlBinaryImporter importer, string customerId, string? key, string? value, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken);
        await importer.WriteAsync(customerId, NpgsqlDbType.Text, cancellationToken);
        await WriteNullableTextAsync(importer, key, cancellationToken);
        await WriteNullableTextAsync(importer, value, cancellationToken);
    }

    private static async Task WriteNullableTextAsync(NpgsqlBinaryImporter importer, string? text, CancellationToken cancellationToken)
    {
        if (text is null)
        {
            await importer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await importer.WriteAsync(text, NpgsqlDbType.Text, cancellationToken);
        }
    }
}

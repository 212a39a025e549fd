using Npgsql;

namespace NpsGrpc.Storage.Exports;

/// <summary>
/// Cancels the statement of a connection from another connection when a token is cancelled. A thread that reads a
/// COPY with blocking calls checks its token only between rows. A COPY can send no row for a long time, for example
/// while it scans a long stretch of rows that do not match, and the thread would wait all that time.
/// </summary>
public static class StatementCancellation
{
    /// <summary>
    /// Registers the cancellation of the statement running on <paramref name="connection"/>, through
    /// <paramref name="dataSource"/>, for when <paramref name="cancellationToken"/> is cancelled. Dispose the
    /// registration before the connection goes back to the pool: disposing waits for a cancellation in progress, so
    /// none reaches the connection's next user.
    /// </summary>
    public static CancellationTokenRegistration CancelOn(
        NpgsqlDataSource dataSource, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        int processId = connection.ProcessID;
        return cancellationToken.Register(() => Cancel(dataSource, processId));
    }

    /// <summary>
    /// Returns whether <paramref name="exception"/> is PostgreSQL ending a statement at a cancel request, sent because
    /// <paramref name="cancellationToken"/> was cancelled.
    /// </summary>
    public static bool IsCancelledBy(Exception exception, CancellationToken cancellationToken) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } && cancellationToken.IsCancellationRequested;

    private static void Cancel(NpgsqlDataSource dataSource, int processId)
    {
        try
        {
            using var command = dataSource.CreateCommand("SELECT pg_cancel_backend($1)");
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = processId });
            command.ExecuteScalar();
        }
        catch (NpgsqlException)
        {
            // The database cannot be reached, so the COPY fails on its own.
        }
    }
}

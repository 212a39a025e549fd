using Npgsql;

namespace NpsGrpc.Server.Ingest;

/// <summary>
/// Reruns a whole batch transaction when PostgreSQL aborted it as a deadlock victim or for a serialization
/// failure. Both roll the transaction back completely, so running it again is safe.
/// </summary>
public static class TransientRetry
{
    private const int MaxAttempts = 4;

    /// <summary>Runs <paramref name="action"/>, retrying up to 3 times with a short random pause.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (PostgresException exception) when (attempt < MaxAttempts && exception.SqlState is
                PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * attempt), cancellationToken);
            }
        }
    }
}

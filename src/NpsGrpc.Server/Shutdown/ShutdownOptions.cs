namespace NpsGrpc.Server.Shutdown;

/// <summary>Settings of the <c>Shutdown</c> configuration section.</summary>
public sealed class ShutdownOptions
{
    /// <summary>
    /// How long a stopping server waits for calls in flight: batches being committed are acknowledged, and open
    /// streams end with UNAVAILABLE. Calls still running after it are aborted and their uncommitted batches rolled back.
    /// Default 30 seconds.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when <see cref="DrainTimeout"/> is not positive.</summary>
    public void Validate()
    {
        if (DrainTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"Shutdown:DrainTimeout is {DrainTimeout}; it must be a positive time span such as 00:00:30.");
        }
    }
}

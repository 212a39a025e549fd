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

    /// <summary>
    /// How long the server keeps its connections open after the last open stream ended, so clients read the
    /// UNAVAILABLE status and stop sending before the connections close. Default 1 second; 0 turns it off.
    /// </summary>
    public TimeSpan StreamEndGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws when <see cref="DrainTimeout"/> is not positive or <see cref="StreamEndGrace"/> is out of range.</summary>
    public void Validate()
    {
        if (DrainTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"Shutdown:DrainTimeout is {DrainTimeout}; it must be a positive time span such as 00:00:30.");
        }

        if (StreamEndGrace < TimeSpan.Zero || StreamEndGrace >= DrainTimeout)
        {
            throw new InvalidOperationException(
                $"Shutdown:StreamEndGrace is {StreamEndGrace}; it must be from 0 to less than Shutdown:DrainTimeout ({DrainTimeout}).");
        }
    }
}

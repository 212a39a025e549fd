namespace NpsGrpc.Server.Errors;

/// <summary>
/// Limits how often a database outage is logged with its exception. During an outage every call fails the same way,
/// so the first failure of each interval is logged in full and the others are only counted.
/// </summary>
public sealed class OutageLogLimiter(TimeProvider timeProvider)
{
    /// <summary>Time between two failures logged in full.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private DateTimeOffset? _lastLogged;
    private int _skipped;

    /// <summary>
    /// Records a failure. Returns true when it should be logged in full, with <paramref name="skipped"/> set to the
    /// number of failures counted since the previous one that was logged.
    /// </summary>
    public bool TryEnter(out int skipped)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_lastLogged is { } last && now - last < Interval)
            {
                _skipped++;
                skipped = 0;
                return false;
            }

            _lastLogged = now;
            skipped = _skipped;
            _skipped = 0;
            return true;
        }
    }
}

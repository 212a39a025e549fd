namespace NpsGrpc.Storage.Rollups;

/// <summary>Whether the stored rollups match this instance's keys, so queries may use them.</summary>
public sealed class RollupState
{
    private volatile bool _isReady;

    /// <summary>True once start-up has checked (and if needed rebuilt) the rollups.</summary>
    public bool IsReady => _isReady;

    /// <summary>Records that the rollups match the configured keys.</summary>
    public void MarkReady() => _isReady = true;
}

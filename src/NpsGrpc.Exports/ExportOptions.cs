namespace NpsGrpc.Exports;

/// <summary>Settings of the export scheduler, from the Exports configuration section.</summary>
public sealed class ExportOptions
{
    /// <summary>Whether this instance claims slots and runs exports. Every instance still serves the export API.</summary>
    public bool SchedulerEnabled { get; set; } = true;

    /// <summary>How often the scheduler looks for due slots and queued runs. RunExport wakes it at once.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Name of this instance in the run history; the host name and process id when empty.</summary>
    public string InstanceName { get; set; } = "";

    /// <summary>
    /// Memory, in MiB, that a run which reads every response of its surveys may use to collect the distinct customer
    /// ids of its fact rows for the customer dimension. Past it, the run reads the ids from the database after the fact
    /// rows. 0 or less always reads them from the database, and values above 1024 count as 1024.
    /// </summary>
    public int CustomerIdMemoryMiB { get; set; } = 256;

    /// <summary>Whether the database is migrated; the scheduler waits for it before its first pass.</summary>
    public Func<bool> IsDatabaseReady { get; set; } = () => true;
}

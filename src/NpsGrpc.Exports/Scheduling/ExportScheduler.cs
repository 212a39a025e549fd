using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NpsGrpc.Domain.Time;
using NpsGrpc.Exports.Runs;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Exports.Scheduling;

/// <summary>
/// Claims due schedule slots and works through queued and unfinished runs. Every instance on a database runs one; the
/// database decides which instance gets each slot and each target's lease, so instances need no other coordination.
/// </summary>
public sealed partial class ExportScheduler(
    ExportTargetStore targets,
    ExportRunStore runs,
    ExportRunner runner,
    ExportOptions options,
    TimeProvider time,
    ILogger<ExportScheduler> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>The name this instance records on the runs it executes.</summary>
    public string Instance { get; } = options.InstanceName is { Length: > 0 } name
        ? name
        : $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Asks the scheduler to look for work now instead of at its next poll.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
    }

    /// <summary>Claims the slots that are due and runs what is pending; one pass of the loop.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        await ClaimDueSlotsAsync(cancellationToken);
        foreach ((string targetId, int lockId) in await runs.TargetsWithPendingRunsAsync(cancellationToken))
        {
            // One target's trouble, such as a destination that rejects the manifest, must not hold up the others.
            try
            {
                await RunPendingAsync(targetId, lockId, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogTargetFailed(exception, targetId);
            }
        }
    }

    private async Task RunPendingAsync(string targetId, int lockId, CancellationToken cancellationToken)
    {
        await using var lease = await runs.TryLeaseAsync(lockId, cancellationToken);
        if (lease is null)
        {
            return;
        }

        while (await lease.IsHeldAsync(cancellationToken)
               && await runs.OldestPendingRunAsync(targetId, cancellationToken) is { } run)
        {
            await runner.ExecuteAsync(run, Instance, cancellationToken);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.SchedulerEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (options.IsDatabaseReady())
                {
                    await PassAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database may be down or still starting; the next pass tries again.
                LogPassFailed(exception);
            }

            try
            {
                await _wake.WaitAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ClaimDueSlotsAsync(CancellationToken cancellationToken)
    {
        DateTime now = time.GetUtcNow().UtcDateTime;
        foreach (var target in await targets.ListScheduledAsync(cancellationToken))
        {
            TimeZoneInfo zone;
            try
            {
                zone = TimeBuckets.FindZone(target.TimeZone);
            }
            catch (TimeZoneNotFoundException exception)
            {
                // The zone was valid when the target was created; the system's time zone data may have changed since.
                LogTargetFailed(exception, target.TargetId);
                continue;
            }

            var schedule = ExportSchedule.TryParse(target.Schedule, zone, out _);
            if (schedule?.LatestDueSlot(target.LastSlot ?? target.CreateTime, now) is not { } slot)
            {
                continue;
            }

            if (await runs.ClaimSlotAsync(target.TargetId, slot, now, cancellationToken) is { } run)
            {
                LogClaimed(slot, target.TargetId, run.RunId, Instance);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed the {Slot:o} slot of {TargetId} as run {RunId} on {Instance}")]
    private partial void LogClaimed(DateTime slot, string targetId, long runId, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export target {TargetId} failed in the scheduler; it is tried again at the next poll")]
    private partial void LogTargetFailed(Exception exception, string targetId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The export scheduler's pass failed; it tries again at the next poll")]
    private partial void LogPassFailed(Exception exception);
}

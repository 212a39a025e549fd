using Microsoft.Extensions.Logging;
using Npgsql;
using NpsGrpc.Domain.Time;
using NpsGrpc.Exports.Destinations;
using NpsGrpc.Exports.Layout;
using NpsGrpc.Exports.Parquet;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Exports.Runs;

/// <summary>
/// Carries out one run of a target while the caller holds the target's lease. An attempt writes every file under the
/// run's staging folder, records the final paths and moves the files into place. One transaction then records the files
/// and the new watermark, which makes the run committed. Last come the manifest, the succeeded state and the deletion of
/// the files the run superseded. An unfinished committed run resumes at the manifest, and an unfinished running one is
/// cleaned up and redone over the same load sequence range.
/// </summary>
public sealed partial class ExportRunner(
    ExportTargetStore targets,
    ExportRunStore runs,
    ExportSource source,
    NpgsqlDataSource dataSource,
    IExportDestinationProvider destinations,
    TimeProvider time,
    ExportTelemetry telemetry,
    ExportOptions options,
    ILogger<ExportRunner> logger)
{
    /// <summary>
    /// Runs <paramref name="run"/> to its end. Cancellation leaves it unfinished, to be redone. Each pass is one
    /// <c>nps.export.run</c> span and is counted in the export metrics with its outcome.
    /// </summary>
    public async Task ExecuteAsync(ExportRunRecord run, string instance, CancellationToken cancellationToken)
    {
        using var activity = ExportTelemetry.StartRun(run.RunId, run.TargetId);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = ExportRunOutcome.Error;
        try
        {
            outcome = await RunAsync(run, instance, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = ExportRunOutcome.Cancelled;
            throw;
        }
        finally
        {
            telemetry.RecordRun(outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started), activity);
        }
    }

    private async Task<ExportRunOutcome> RunAsync(ExportRunRecord run, string instance, CancellationToken cancellationToken)
    {
        var target = await targets.GetAsync(run.TargetId, cancellationToken);
        if (target is null)
        {
            return ExportRunOutcome.Skipped;
        }

        IExportDestination destination;
        try
        {
            destination = destinations.Open(target.Destination);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogFailed(exception, run.RunId, target.TargetId);
            await runs.MarkFailedAsync(run.RunId, null, Describe(exception), time.GetUtcNow().UtcDateTime, cancellationToken);
            return ExportRunOutcome.Failed;
        }

        if (run.State != "committed")
        {
            (long low, long high) = run switch
            {
                { LowMark: { } l, HighMark: { } h } => (l, h),
                { IsRestatement: true } => (long.MinValue, target.Watermark),
                _ => (target.Watermark, await runs.SettledLoadSequenceAsync(cancellationToken)),
            };

            // The new attempt number fences the interrupted attempt first, so it cannot commit files removed below.
            var interrupted = run;
            var started = await runs.StartAttemptAsync(run.RunId, low, high, instance, time.GetUtcNow().UtcDateTime, cancellationToken);
            if (started is null)
            {
                return ExportRunOutcome.Superseded;
            }

            run = started;
            if (interrupted.State == "running")
            {
                LogRedo(run.RunId, target.TargetId, interrupted.Instance ?? "unknown");
                await RemoveAttemptsAsync(interrupted, interrupted.PendingPaths, destination);
            }

            if (await TryCommitAttemptAsync(target, run, destination, cancellationToken) is { } notCommitted)
            {
                return notCommitted;
            }
        }

        // From here the files and the watermark are recorded. A failure leaves the run committed, and the next pass
        // publishes the manifest again; nothing is deleted but the files the run superseded.
        await PublishAsync(target, run, destination, cancellationToken);
        return ExportRunOutcome.Succeeded;
    }

    // Writes, moves and records the attempt's files. Returns null once committed, or the outcome when the attempt failed
    // or was taken over, after removing what it published.
    private async Task<ExportRunOutcome?> TryCommitAttemptAsync(
        ExportTargetRecord target, ExportRunRecord run, IExportDestination destination, CancellationToken cancellationToken)
    {
        IReadOnlyList<StagedFile> staged = [];
        try
        {
            (staged, var commit) = await WriteAsync(target, run, destination, cancellationToken);
            await destination.FlushAsync(cancellationToken);
            await runs.SetPendingPathsAsync(run.RunId, run.Attempts, staged.Select(f => f.FinalPath).ToList(), cancellationToken);
            foreach (var file in staged)
            {
                await destination.PublishAsync(file.StagingPath, file.FinalPath, cancellationToken);
            }

            await destination.FlushAsync(cancellationToken);

            await destination.DeleteFolderAsync(ExportTables.StagingPath(run.RunId, run.Attempts), cancellationToken);
            await runs.CommitAsync(commit, run.Attempts, advanceWatermark: !run.IsRestatement, cancellationToken);
            return null;
        }
        catch (AttemptSupersededException exception)
        {
            // A newer attempt owns the run; file names carry the attempt, so removing this attempt's files is safe.
            LogSuperseded(exception, run.RunId, run.Attempts, target.TargetId);
            await RemoveFilesAsync(run, run.Attempts, staged.Select(f => f.FinalPath).ToList(), destination);
            return ExportRunOutcome.Superseded;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(exception, run.RunId, target.TargetId);
            await RemoveFilesAsync(run, run.Attempts, staged.Select(f => f.FinalPath).ToList(), destination);
            await runs.MarkFailedAsync(run.RunId, run.Attempts, Describe(exception), time.GetUtcNow().UtcDateTime, CancellationToken.None);
            return ExportRunOutcome.Failed;
        }
    }

    private async Task<(IReadOnlyList<StagedFile> Files, ExportCommit Commit)> WriteAsync(
        ExportTargetRecord target, ExportRunRecord run, IExportDestination destination, CancellationToken cancellationToken)
    {
        var zone = TimeBuckets.FindZone(target.TimeZone);
        var dates = new LocalDates(zone);
        DateTime? from = null, to = null;
        if (run is { RestateFrom: { } first, RestateTo: { } last })
        {
            (from, to) = (dates.UtcBounds(first).Start, dates.UtcBounds(last).End);
        }

        var selection = new ResponseSelection(target.SurveyIds, run.LowMark!.Value, run.HighMark!.Value, from, to);
        var recorded = await runs.ColumnsAsync(target.TargetId, cancellationToken);
        var keys = (await source.ResponseAttributeKeysAsync(target.SurveyIds, cancellationToken)).Concat(target.SegmentKeys);
        var factColumns = AttributeColumns.Extend(Recorded(recorded, ExportTables.FactResponse), keys);
        var files = new RunFiles(destination, run.RunId, run.Attempts);

        // A run that reads every response of its surveys collects the customer ids from its fact rows, which saves a
        // scan of the responses' customer index. It writes the customer dimension once the last row is read, while the
        // fact writer encodes its last row groups. Other runs scan the index beside the fact rows, on their own
        // connection and thread, while the fact writer keeps the .NET side busy.
        var customerColumns = AttributeColumns.Extend(
            Recorded(recorded, ExportTables.DimCustomer), await source.CustomerAttributeKeysAsync(cancellationToken));
        var customerIds = selection.CoversAllRows && options.CustomerIdMemoryMiB > 0
            ? new CustomerIdSet(Math.Min(options.CustomerIdMemoryMiB, 1024) * 1024L * 1024L)
            : null;
        var fact = new FactTableWriter(files, factColumns, target.SegmentKeys, target.RowGroupRows, zone, customerIds);
        using var stopCustomers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var customerTask = customerIds is null
            ? WriteCustomersAsync(files, target, customerColumns, stopCustomers.Token)
            : WriteCollectedCustomersAsync(files, target, customerIds, fact.RowsRead, customerColumns, stopCustomers.Token);

        // Until the customer dimension is awaited, a failure must stop it and wait for it, so that it neither writes into
        // a staging folder that the failed attempt deletes nor uses the ids after they are released.
        IReadOnlyList<StagedFile> factFiles;
        IReadOnlyList<DailyCounts> delta;
        IReadOnlyList<DateOnly> touched;
        StagedFile dailyFile, customerFile;
        try
        {
            factFiles = await fact.WriteAsync(dataSource, selection, cancellationToken);
            delta = fact.Daily.ToCounts();
            touched = run is { RestateFrom: { } start, RestateTo: { } end }
                ? Enumerable.Range(0, end.DayNumber - start.DayNumber + 1).Select(start.AddDays).ToList()
                : fact.Daily.Dates.Order().ToList();

            // The daily table is one file with every date: the stored counts, with this run's added or, for a
            // restatement, in place of the restated dates.
            var restated = run.IsRestatement ? touched.ToHashSet() : [];
            var stored = (await runs.DailyCountsAsync(target.TargetId, null, cancellationToken)).Where(c => !restated.Contains(c.Date));
            var daily = DailyAccumulator.Merge(stored, delta);
            var segmentColumns = target.SegmentKeys.Select(k => factColumns.First(c => c.AttributeKey == k)).ToList();
            dailyFile = await DimensionWriter.WriteDailyAsync(files, daily, segmentColumns, target.ConfidenceLevel, cancellationToken);
            customerFile = await customerTask;
        }
        catch
        {
            await stopCustomers.CancelAsync();
            try
            {
                await customerTask;
            }
            catch (Exception)
            {
                // The first failure is the one to report.
            }

            customerIds?.Release();
            throw;
        }

        var surveyFile = await DimensionWriter.WriteSurveysAsync(
            files, await source.SurveysAsync(target.SurveyIds, cancellationToken), cancellationToken);

        var covered = await runs.CoveredDatesAsync(target.TargetId, cancellationToken);
        var withRows = fact.Daily.Dates.ToList();
        DateOnly? firstDate = Min(covered?.First, withRows.Count > 0 ? withRows.Min() : null);
        DateOnly? lastDate = Max(covered?.Last, withRows.Count > 0 ? withRows.Max() : null);
        var dateFile = firstDate is { } a && lastDate is { } b
            ? await DimensionWriter.WriteDatesAsync(files, a, b, cancellationToken)
            : await DimensionWriter.WriteDatesAsync(files, DateOnly.MaxValue, DateOnly.MinValue, cancellationToken);

        var live = await runs.LiveFilesAsync(target.TargetId, cancellationToken);
        var superseded = live.Where(f =>
                f.Table is ExportTables.DimCustomer or ExportTables.DimSurvey or ExportTables.DimDate or ExportTables.DailyNps
                || (f.Table == ExportTables.FactResponse && run.IsRestatement
                    && f.PartitionDate >= run.RestateFrom && f.PartitionDate <= run.RestateTo))
            .Select(f => f.Path)
            .ToList();

        List<StagedFile> all = [.. factFiles, dailyFile, customerFile, surveyFile, dateFile];
        var commit = new ExportCommit(
            run.RunId,
            target.TargetId,
            run.HighMark!.Value,
            all.Select(f => new ExportFileRecord(f.Table, f.FinalPath, f.PartitionDate, run.RunId, f.Rows, f.Bytes, f.Sha256)).ToList(),
            superseded,
            new Dictionary<string, IReadOnlyList<(string Key, string Column)>>
            {
                [ExportTables.FactResponse] = factColumns.Select(c => (c.AttributeKey, c.ColumnName)).ToList(),
                [ExportTables.DimCustomer] = customerColumns.Select(c => (c.AttributeKey, c.ColumnName)).ToList(),
            },
            delta,
            run.IsRestatement ? touched : [],
            fact.RowsWritten);
        LogWritten(run.RunId, target.TargetId, fact.RowsWritten, all.Count);
        return (all, commit);
    }

    // Writes the customer dimension from the ids the fact rows gave, once rowsRead completes, or from a scan when the
    // set overflowed.
    private async Task<StagedFile> WriteCollectedCustomersAsync(
        RunFiles files, ExportTargetRecord target, CustomerIdSet ids, Task rowsRead, IReadOnlyList<AttributeColumn> columns,
        CancellationToken cancellationToken)
    {
        await rowsRead.WaitAsync(cancellationToken);
        if (ids.Overflowed)
        {
            LogCustomerIdsOverflowed(target.TargetId, options.CustomerIdMemoryMiB);
            return await WriteCustomersAsync(files, target, columns, cancellationToken);
        }

        try
        {
            return await WriteCustomerCopyAsync(
                connection => ExportSource.OpenUpsertedCustomersAsync(connection, cancellationToken),
                customers => DimensionWriter.WriteCustomersAsync(files, ids, customers, columns, target.RowGroupRows, cancellationToken),
                cancellationToken);
        }
        finally
        {
            ids.Release();
        }
    }

    private Task<StagedFile> WriteCustomersAsync(
        RunFiles files, ExportTargetRecord target, IReadOnlyList<AttributeColumn> columns, CancellationToken cancellationToken) =>
        WriteCustomerCopyAsync(
            connection => ExportSource.OpenCustomersAsync(connection, target.SurveyIds, cancellationToken),
            customers => DimensionWriter.WriteCustomersAsync(files, customers, columns, target.RowGroupRows, cancellationToken),
            cancellationToken);

    // Opens a customer COPY on a connection of its own and writes the dimension from it on a thread of its own, because
    // the COPY is read with blocking calls. Cancellation also cancels the COPY's statement.
    private async Task<StagedFile> WriteCustomerCopyAsync(
        Func<NpgsqlConnection, Task<BinaryCopyReader>> open, Func<BinaryCopyReader, Task<StagedFile>> write, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var customers = await open(connection);
        using var cancelCopy = StatementCancellation.CancelOn(dataSource, connection, cancellationToken);
        try
        {
            return await Task.Factory.StartNew(
                () => write(customers).GetAwaiter().GetResult(),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }
        catch (Exception exception) when (StatementCancellation.IsCancelledBy(exception, cancellationToken))
        {
            throw new OperationCanceledException("The customer COPY was cancelled.", exception, cancellationToken);
        }
    }

    private async Task PublishAsync(
        ExportTargetRecord target, ExportRunRecord run, IExportDestination destination, CancellationToken cancellationToken)
    {
        var live = await runs.LiveFilesAsync(target.TargetId, cancellationToken);
        var removed = await runs.SupersededPathsAsync(target.TargetId, run.RunId, cancellationToken);
        var columns = await runs.ColumnsAsync(target.TargetId, cancellationToken);
        var manifest = Manifest.Build(target, run, live, removed, columns, time.GetUtcNow().UtcDateTime);
        byte[] content = manifest.ToUtf8();
        string path = ExportTables.ManifestPath(run.RunId);
        await destination.WriteWholeAsync(path, content, cancellationToken);
        await destination.WriteWholeAsync(ExportTables.LatestManifestPath, content, cancellationToken);

        // Superseded files are deleted after the manifest that drops them is written and before the run shows
        // SUCCEEDED, so a caller that waits for the run finds them deleted. Every later publication retries a failed
        // deletion.
        var deleted = new List<string>();
        foreach (string old in await runs.PathsAwaitingDeletionAsync(target.TargetId, run.RunId, cancellationToken))
        {
            try
            {
                await destination.DeleteAsync(old, cancellationToken);
                deleted.Add(old);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                LogDeleteFailed(exception, old, target.TargetId);
            }
        }

        await runs.MarkDeletedAsync(target.TargetId, deleted, cancellationToken);
        await runs.MarkSucceededAsync(run.RunId, path, time.GetUtcNow().UtcDateTime, cancellationToken);
    }

    // Removes what interrupted attempts of the run left: the files the last one was publishing and every staging folder.
    private async Task RemoveAttemptsAsync(ExportRunRecord run, IReadOnlyList<string> published, IExportDestination destination)
    {
        for (int attempt = 1; attempt <= run.Attempts; attempt++)
        {
            await RemoveFilesAsync(run, attempt, attempt == run.Attempts ? published : [], destination);
        }
    }

    private async Task RemoveFilesAsync(ExportRunRecord run, int attempt, IReadOnlyList<string> published, IExportDestination destination)
    {
        try
        {
            foreach (string path in published)
            {
                await destination.DeleteAsync(path, CancellationToken.None);
            }

            await destination.DeleteFolderAsync(ExportTables.StagingPath(run.RunId, attempt), CancellationToken.None);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(exception, run.RunId);
        }
    }

    private static IReadOnlyList<AttributeColumn> Recorded(
        IReadOnlyDictionary<string, IReadOnlyList<(string Key, string Column)>> recorded, string table) =>
        (recorded.GetValueOrDefault(table) ?? []).Select(c => new AttributeColumn(c.Key, c.Column)).ToList();

    private static DateOnly? Min(DateOnly? first, DateOnly? second)
    {
        if (first is null || second is null)
        {
            return first ?? second;
        }

        return first < second ? first : second;
    }

    private static DateOnly? Max(DateOnly? first, DateOnly? second)
    {
        if (first is null || second is null)
        {
            return first ?? second;
        }

        return first > second ? first : second;
    }

    private static string Describe(Exception exception) => exception switch
    {
        UnauthorizedAccessException or IOException => $"cannot write to the destination: {exception.Message}",
        NpgsqlException => $"database error: {exception.Message}",
        _ => exception.Message,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redoing export run {RunId} of {TargetId}, left unfinished by {Instance}")]
    private partial void LogRedo(long runId, string targetId, string instance);

    [LoggerMessage(Level = LogLevel.Error, Message = "Export run {RunId} of {TargetId} failed")]
    private partial void LogFailed(Exception exception, long runId, string targetId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export run {RunId} of {TargetId} wrote {Rows} responses in {Files} files")]
    private partial void LogWritten(long runId, string targetId, long rows, int files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attempt {Attempt} of export run {RunId} of {TargetId} stopped: a newer attempt took the run over")]
    private partial void LogSuperseded(Exception exception, long runId, int attempt, string targetId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete {Path}, superseded in export target {TargetId}; the next run tries again")]
    private partial void LogDeleteFailed(Exception exception, string path, string targetId);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Export target {TargetId} has more customers than Exports:CustomerIdMemoryMiB ({LimitMiB}) holds; reading them from the database")]
    private partial void LogCustomerIdsOverflowed(string targetId, int limitMiB);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the files of export run {RunId}")]
    private partial void LogCleanupFailed(Exception exception, long runId);
}

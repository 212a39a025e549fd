using System.Runtime.CompilerServices;
using NpsGrpc.Storage.Exports;
using NpsGrpc.Storage.FollowUps;

namespace NpsGrpc.Server.FollowUps;

/// <summary>
/// Reads the follow-up items after a position, in (load sequence, item id) order, waiting for new ones.
/// </summary>
/// <remarks>
/// Item ids and load sequences are assigned before commit, so batches commit out of order, and a reader that took
/// every visible item above its cursor could pass over an item whose batch commits later with a lower number. The feed
/// therefore only delivers items up to the settled load sequence. Ingest takes each batch's load sequence under a
/// shared advisory lock held to commit. Reading the mark takes that lock exclusively, so every batch up to the mark
/// has ended. Taking the lock makes ingest wait for the batches in flight, so the feed takes it only after it has seen
/// a committed item beyond its position. All subscribers share one reading of the mark per poll interval. A mark read
/// a moment ago is still settled, only lower, so sharing it delays items by at most one poll, and ingest waits once
/// per interval instead of once per subscriber.
/// </remarks>
public sealed partial class FollowUpFeed(
    OutreachStore store, ExportRunStore loadMarks, FollowUpOptions options, ILogger<FollowUpFeed> logger)
{
    private const int PageSize = 500;

    private readonly SemaphoreSlim _markGate = new(1, 1);
    private long _sharedMark = -1;
    private long _sharedMarkTicks;

    /// <summary>
    /// Yields the items after <paramref name="position"/> until <paramref name="cancellationToken"/> is cancelled,
    /// then ends without an exception.
    /// </summary>
    public async IAsyncEnumerable<(OutreachItemRecord Item, FeedPosition Position)> ReadAsync(
        FeedPosition position, string? surveyId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Log.Subscribed(logger, position.LoadSeq, position.ItemId, surveyId ?? "*");
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await ReadPageAsync(position, surveyId, cancellationToken);
            foreach (var item in page)
            {
                position = new FeedPosition(item.LoadSeq, item.ItemId);
                yield return (item, position);
            }

            if (page.Count == PageSize)
            {
                continue;
            }

            try
            {
                await Task.Delay(options.PollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Log.Unsubscribed(logger, position.LoadSeq, position.ItemId);
    }

    private async Task<IReadOnlyList<OutreachItemRecord>> ReadPageAsync(
        FeedPosition position, string? surveyId, CancellationToken cancellationToken)
    {
        try
        {
            if (!await store.HasFollowUpsAfterAsync(position, surveyId, cancellationToken))
            {
                return [];
            }

            long settled = await SettledMarkAsync(cancellationToken);
            return await store.ReadFollowUpFeedAsync(position, settled, surveyId, PageSize, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return [];
        }
    }

    // Returns the settled load sequence. The gate lets one caller read it while the others wait and reuse its value.
    private async Task<long> SettledMarkAsync(CancellationToken cancellationToken)
    {
        await _markGate.WaitAsync(cancellationToken);
        try
        {
            long now = Environment.TickCount64;
            if (_sharedMark < 0 || now - _sharedMarkTicks >= (long)options.PollInterval.TotalMilliseconds)
            {
                _sharedMark = await loadMarks.SettledLoadSequenceAsync(cancellationToken);
                _sharedMarkTicks = now;
            }

            return _sharedMark;
        }
        finally
        {
            _markGate.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 701, Level = LogLevel.Information,
            Message = "A follow-up subscriber started after load sequence {LoadSeq}, item {ItemId}, for survey {SurveyId}.")]
        public static partial void Subscribed(ILogger logger, long loadSeq, long itemId, string surveyId);

        [LoggerMessage(EventId = 702, Level = LogLevel.Information,
            Message = "A follow-up subscriber stopped after load sequence {LoadSeq}, item {ItemId}.")]
        public static partial void Unsubscribed(ILogger logger, long loadSeq, long itemId);
    }
}

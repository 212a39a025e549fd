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
/// a committed item beyond its position.
/// </remarks>
public sealed partial class FollowUpFeed(
    OutreachStore store, ExportRunStore loadMarks, FollowUpOptions options, ILogger<FollowUpFeed> logger)
{
    private const int PageSize = 500;

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

            long settled = await loadMarks.SettledLoadSequenceAsync(cancellationToken);
            return await store.ReadFollowUpFeedAsync(position, settled, surveyId, PageSize, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return [];
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

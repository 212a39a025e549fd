using Grpc.Core;
using NpsGrpc.Domain.FollowUps;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.FollowUps;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Server.Shutdown;
using NpsGrpc.Storage.FollowUps;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC follow-up items and advocacy candidates: list, update and subscribe.</summary>
public sealed class FollowUpGrpcService(
    OutreachStore store, OutreachUpdater updater, FollowUpFeed feed, ServerDrain drain)
    : FollowUpService.FollowUpServiceBase
{
    /// <inheritdoc />
    public override async Task<ListFollowUpsResponse> ListFollowUps(ListFollowUpsRequest request, ServerCallContext context)
    {
        var statuses = request.Statuses.Select((status, index) => OutreachMessages.StatusText(status)
            ?? throw RpcErrors.InvalidArgument($"statuses[{index}]", $"statuses[{index}] {ProtoNames.Of(status)} is not a follow-up status")).ToArray();
        var reasons = request.Reasons.Select((reason, index) => OutreachMessages.FollowUpReasonText(reason)
            ?? throw RpcErrors.InvalidArgument(
                $"reasons[{index}]", $"reasons[{index}] {ProtoNames.Of(reason)} is not a follow-up reason; use OUTREACH_REASON_DETRACTOR or OUTREACH_REASON_SCORE_DROP")).ToArray();
        var filter = OutreachRequests.ParseFilter(request.Filter, statuses, reasons);
        int pageSize = OutreachRequests.PageSize(request.PageSize);
        long after = OutreachRequests.AfterItemId(request.PageToken);

        // Reading one row more than the page size shows whether another page follows.
        var rows = await store.ListAsync(OutreachKind.FollowUp, filter, after, pageSize + 1, context.CancellationToken);
        var response = new ListFollowUpsResponse();
        response.Items.AddRange(rows.Take(pageSize).Select(OutreachMessages.ToFollowUp));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(rows[pageSize - 1].ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    /// <inheritdoc />
    public override async Task<UpdateFollowUpResponse> UpdateFollowUp(UpdateFollowUpRequest request, ServerCallContext context)
    {
        OutreachRequests.CheckUpdateTarget(request.ItemId, request.Version);
        string? status = request.Status == FollowUpStatus.Unspecified
            ? null
            : OutreachMessages.StatusText(request.Status)
              ?? throw RpcErrors.InvalidArgument("status", $"status {ProtoNames.Of(request.Status)} is not a follow-up status");
        string? owner = CheckOptional(request.HasOwner, request.Owner, "owner", OutreachRequests.MaxOwnerLength, isName: true)?.Trim();
        string? note = CheckOptional(request.HasNote, request.Note, "note", OutreachRequests.MaxNoteLength, isName: false);
        var updated = await updater.UpdateAsync(
            OutreachKind.FollowUp, request.ItemId, request.Version, status, owner, note, context.CancellationToken);
        return new UpdateFollowUpResponse { Item = OutreachMessages.ToFollowUp(updated) };
    }

    /// <inheritdoc />
    public override async Task SubscribeFollowUps(
        SubscribeFollowUpsRequest request, IServerStreamWriter<SubscribeFollowUpsResponse> responseStream, ServerCallContext context)
    {
        var position = FeedCursor.Decode(request.Cursor);
        string? surveyId = null;
        if (request.SurveyId.Length > 0)
        {
            surveyId = Identifiers.IsSurveyId(request.SurveyId)
                ? request.SurveyId
                : throw RpcErrors.InvalidArgument("survey_id", SurveyDirectory.InvalidSurveyIdMessage(request.SurveyId));
        }

        if (position != FeedPosition.Start && !await store.IsIssuedAsync(position, context.CancellationToken))
        {
            throw RpcErrors.InvalidArgument(
                "cursor",
                "cursor points past the last follow-up item this database has opened; it comes from another database or " +
                "from before a restore. Resume from a cursor this server returned, or start again with an empty cursor");
        }

        // The stream ends with UNAVAILABLE when the server stops, so shutdown does not wait for subscribers to leave and
        // a subscriber resumes from its cursor on another instance or after the restart.
        using var tracked = drain.TrackStream();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, drain.Stopping);
        await foreach (var (item, itemPosition) in feed.ReadAsync(position, surveyId, stop.Token))
        {
            await responseStream.WriteAsync(
                new SubscribeFollowUpsResponse { Item = OutreachMessages.ToFollowUp(item), Cursor = FeedCursor.Encode(itemPosition) },
                context.CancellationToken);
        }

        context.CancellationToken.ThrowIfCancellationRequested();
        if (drain.Stopping.IsCancellationRequested)
        {
            throw drain.StreamEnded(
                context, "Subscribe again with the cursor of the last item received; no item is skipped or repeated.");
        }
    }

    /// <inheritdoc />
    public override async Task<ListAdvocatesResponse> ListAdvocates(ListAdvocatesRequest request, ServerCallContext context)
    {
        var statuses = request.Statuses.Select((status, index) => OutreachMessages.StatusText(status)
            ?? throw RpcErrors.InvalidArgument($"statuses[{index}]", $"statuses[{index}] {ProtoNames.Of(status)} is not an advocate status")).ToArray();
        var filter = OutreachRequests.ParseFilter(request.Filter, statuses, []);
        int pageSize = OutreachRequests.PageSize(request.PageSize);
        long after = OutreachRequests.AfterItemId(request.PageToken);

        var rows = await store.ListAsync(OutreachKind.Advocacy, filter, after, pageSize + 1, context.CancellationToken);
        var response = new ListAdvocatesResponse();
        response.Items.AddRange(rows.Take(pageSize).Select(OutreachMessages.ToAdvocate));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(rows[pageSize - 1].ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    /// <inheritdoc />
    public override async Task<UpdateAdvocateResponse> UpdateAdvocate(UpdateAdvocateRequest request, ServerCallContext context)
    {
        OutreachRequests.CheckUpdateTarget(request.ItemId, request.Version);
        string? status = request.Status == AdvocateStatus.Unspecified
            ? null
            : OutreachMessages.StatusText(request.Status)
              ?? throw RpcErrors.InvalidArgument("status", $"status {ProtoNames.Of(request.Status)} is not an advocate status");
        string? owner = CheckOptional(request.HasOwner, request.Owner, "owner", OutreachRequests.MaxOwnerLength, isName: true)?.Trim();
        string? note = CheckOptional(request.HasNote, request.Note, "note", OutreachRequests.MaxNoteLength, isName: false);
        var updated = await updater.UpdateAsync(
            OutreachKind.Advocacy, request.ItemId, request.Version, status, owner, note, context.CancellationToken);
        return new UpdateAdvocateResponse { Item = OutreachMessages.ToAdvocate(updated) };
    }

    private static string? CheckOptional(bool isSet, string value, string field, int maxLength, bool isName)
    {
        if (!isSet)
        {
            return null;
        }

        string? problem = isName ? Identifiers.CheckName(value, maxLength) : Identifiers.CheckDescription(value, maxLength);
        if (problem is not null)
        {
            throw RpcErrors.InvalidArgument(field, $"{field} {problem}");
        }

        return value;
    }
}

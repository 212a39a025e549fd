using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Exports.Scheduling;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Exports;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Storage.Exports;
using NpsGrpc.Storage.Surveys;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC management of export targets and runs.</summary>
public sealed class ExportGrpcService(
    ExportTargetStore targets,
    ExportRunStore runs,
    SurveyStore surveys,
    ExportScheduler scheduler,
    TimeProvider time) : ExportService.ExportServiceBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 1000;

    /// <summary>Longest restatement, in days.</summary>
    private const int MaxRestatedDays = 3660;

    private static readonly HashSet<string> Changeable = ["display_name", "schedule", "row_group_rows", "confidence_level", "paused"];
    private static readonly HashSet<string> Fixed = ["target_id", "destination", "survey_ids", "time_zone", "segment_keys"];

    /// <inheritdoc />
    public override async Task<CreateExportTargetResponse> CreateExportTarget(CreateExportTargetRequest request, ServerCallContext context)
    {
        var target = request.Target ?? throw RpcErrors.InvalidArgument("target", "target is required");
        ExportTargetValidator.CheckTargetId(target.TargetId, "target.target_id");
        ExportTargetValidator.CheckDisplayName(target.DisplayName, "target.display_name");
        string[] surveyIds = ExportTargetValidator.CheckSurveyIds(target.SurveyIds, "target.survey_ids");
        (string zoneId, var zone) = ExportTargetValidator.CheckTimeZone(target.TimeZone, "target.time_zone");
        string schedule = ExportTargetValidator.CheckSchedule(target.Schedule, zone, "target.schedule");
        string[] segmentKeys = ExportTargetValidator.CheckSegmentKeys(target.SegmentKeys, "target.segment_keys");
        int rowGroupRows = ExportTargetValidator.CheckRowGroupRows(target.RowGroupRows, "target.row_group_rows");
        double level = ExportTargetValidator.CheckConfidenceLevel(target.ConfidenceLevel, "target.confidence_level");
        foreach (string surveyId in surveyIds)
        {
            _ = await surveys.GetAsync(surveyId, context.CancellationToken)
                ?? throw RpcErrors.NotFound($"Survey '{surveyId}' in target.survey_ids does not exist.");
        }

        string destination = ExportTargetValidator.CheckDestination(target.Destination, "target.destination");
        foreach ((string otherId, string otherDestination) in await targets.ListDestinationsAsync(context.CancellationToken))
        {
            if (IsInside(destination, otherDestination) || IsInside(otherDestination, destination))
            {
                throw new RpcException(new Status(
                    StatusCode.FailedPrecondition,
                    $"target.destination '{destination}' overlaps '{otherDestination}' of export target '{otherId}'; " +
                    "a destination may neither lie inside another target's nor contain it"));
            }
        }

        var record = new ExportTargetRecord
        {
            TargetId = target.TargetId,
            DisplayName = target.DisplayName,
            Destination = destination,
            SurveyIds = surveyIds,
            Schedule = schedule,
            TimeZone = zoneId,
            SegmentKeys = segmentKeys,
            RowGroupRows = rowGroupRows,
            ConfidenceLevel = level,
            Paused = target.Paused,
        };
        (var outcome, var created) = await targets.CreateAsync(record, time.GetUtcNow().UtcDateTime, context.CancellationToken);
        return outcome switch
        {
            ExportTargetStore.CreateOutcome.IdTaken =>
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"Export target '{target.TargetId}' already exists.")),
            ExportTargetStore.CreateOutcome.DestinationTaken =>
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"Another export target writes to '{destination}'.")),
            _ => new CreateExportTargetResponse { Target = await ToMessageAsync(created!, context.CancellationToken) },
        };
    }

    /// <inheritdoc />
    public override async Task<GetExportTargetResponse> GetExportTarget(GetExportTargetRequest request, ServerCallContext context) =>
        new() { Target = await ToMessageAsync(await FindAsync(request.TargetId, context), context.CancellationToken) };

    /// <inheritdoc />
    public override async Task<ListExportTargetsResponse> ListExportTargets(ListExportTargetsRequest request, ServerCallContext context)
    {
        int pageSize = PageSize(request.PageSize);
        var rows = await targets.ListAsync(PageToken.Decode(request.PageToken), pageSize + 1, context.CancellationToken);
        var page = rows.Take(pageSize).ToList();
        var lastRuns = await runs.LastSuccessfulRunsAsync(page.Select(t => t.TargetId).ToList(), context.CancellationToken);
        var response = new ListExportTargetsResponse();
        response.Targets.AddRange(page.Select(t => ToMessage(t, lastRuns.GetValueOrDefault(t.TargetId))));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(rows[pageSize - 1].TargetId);
        }

        return response;
    }

    /// <inheritdoc />
    public override async Task<UpdateExportTargetResponse> UpdateExportTarget(UpdateExportTargetRequest request, ServerCallContext context)
    {
        var changes = request.Target ?? throw RpcErrors.InvalidArgument("target", "target is required");
        if (request.UpdateMask.Count == 0)
        {
            throw RpcErrors.InvalidArgument("update_mask", $"update_mask is empty; name the fields to change: {string.Join(", ", Changeable.Order())}");
        }

        for (int i = 0; i < request.UpdateMask.Count; i++)
        {
            string path = request.UpdateMask[i];
            if (Fixed.Contains(path))
            {
                throw RpcErrors.InvalidArgument(
                    $"update_mask[{i}]", $"update_mask[{i}] '{path}' cannot change: it shapes the files already written; create another target");
            }

            if (!Changeable.Contains(path))
            {
                throw RpcErrors.InvalidArgument(
                    $"update_mask[{i}]", $"update_mask[{i}] '{path}' is not a field of ExportTarget that can change: use {string.Join(", ", Changeable.Order())}");
            }
        }

        var current = await FindAsync(changes.TargetId, context, "target.target_id");
        var mask = request.UpdateMask.ToHashSet();
        var updated = current with
        {
            DisplayName = mask.Contains("display_name") ? Checked(changes.DisplayName) : current.DisplayName,
            Schedule = mask.Contains("schedule")
                ? ExportTargetValidator.CheckSchedule(changes.Schedule, ExportTargetValidator.CheckTimeZone(current.TimeZone, "target.time_zone").Zone, "target.schedule")
                : current.Schedule,
            RowGroupRows = mask.Contains("row_group_rows")
                ? ExportTargetValidator.CheckRowGroupRows(changes.RowGroupRows, "target.row_group_rows")
                : current.RowGroupRows,
            ConfidenceLevel = mask.Contains("confidence_level")
                ? ExportTargetValidator.CheckConfidenceLevel(changes.ConfidenceLevel, "target.confidence_level")
                : current.ConfidenceLevel,
            Paused = mask.Contains("paused") ? changes.Paused : current.Paused,
        };
        var stored = await targets.UpdateAsync(updated, time.GetUtcNow().UtcDateTime, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"Export target '{changes.TargetId}' does not exist.");
        return new UpdateExportTargetResponse { Target = await ToMessageAsync(stored, context.CancellationToken) };

        static string Checked(string name)
        {
            ExportTargetValidator.CheckDisplayName(name, "target.display_name");
            return name;
        }
    }

    /// <inheritdoc />
    public override async Task<DeleteExportTargetResponse> DeleteExportTarget(DeleteExportTargetRequest request, ServerCallContext context)
    {
        ExportTargetValidator.CheckTargetId(request.TargetId);
        return await targets.DeleteAsync(request.TargetId, context.CancellationToken) switch
        {
            ExportTargetStore.DeleteOutcome.NotFound => throw RpcErrors.NotFound($"Export target '{request.TargetId}' does not exist."),
            ExportTargetStore.DeleteOutcome.Running => throw new RpcException(new Status(
                StatusCode.FailedPrecondition, $"A run of export target '{request.TargetId}' is in progress; delete it when the run ends.")),
            _ => new DeleteExportTargetResponse(),
        };
    }

    /// <inheritdoc />
    public override async Task<PauseExportTargetResponse> PauseExportTarget(PauseExportTargetRequest request, ServerCallContext context) =>
        new() { Target = await SetPausedAsync(request.TargetId, paused: true, context) };

    /// <inheritdoc />
    public override async Task<ResumeExportTargetResponse> ResumeExportTarget(ResumeExportTargetRequest request, ServerCallContext context) =>
        new() { Target = await SetPausedAsync(request.TargetId, paused: false, context) };

    /// <inheritdoc />
    public override async Task<RunExportResponse> RunExport(RunExportRequest request, ServerCallContext context)
    {
        ExportTargetValidator.CheckTargetId(request.TargetId);
        var from = ExportTargetValidator.ParseDate(request.RestateFrom, "restate_from");
        var to = ExportTargetValidator.ParseDate(request.RestateTo, "restate_to");
        switch (from, to)
        {
            case (null, { }):
                throw RpcErrors.InvalidArgument("restate_from", "restate_from is required when restate_to is set");
            case ({ }, null):
                throw RpcErrors.InvalidArgument("restate_to", "restate_to is required when restate_from is set");
            case ({ } first, { } last) when first > last:
                throw RpcErrors.InvalidArgument(
                    "restate_to", $"restate_to {request.RestateTo} is before restate_from {request.RestateFrom}");
            case ({ } first, { } last) when last.DayNumber - first.DayNumber + 1 > MaxRestatedDays:
                throw RpcErrors.InvalidArgument(
                    "restate_to", $"the restatement covers {last.DayNumber - first.DayNumber + 1} days; at most {MaxRestatedDays} are allowed");
        }

        await FindAsync(request.TargetId, context);
        var run = await runs.EnqueueAsync(request.TargetId, from, to, time.GetUtcNow().UtcDateTime, context.CancellationToken);
        scheduler.Wake();
        return new RunExportResponse { Run = ToMessage(run) };
    }

    /// <inheritdoc />
    public override async Task<GetExportRunResponse> GetExportRun(GetExportRunRequest request, ServerCallContext context)
    {
        ExportTargetValidator.CheckTargetId(request.TargetId);
        var run = await runs.GetRunAsync(request.TargetId, request.RunId, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"Export target '{request.TargetId}' has no run {request.RunId}.");
        return new GetExportRunResponse { Run = ToMessage(run) };
    }

    /// <inheritdoc />
    public override async Task<ListExportRunsResponse> ListExportRuns(ListExportRunsRequest request, ServerCallContext context)
    {
        int pageSize = PageSize(request.PageSize);
        // Run tokens name their target, so a token of one target's list is refused by another's.
        long? before = null;
        if (PageToken.Decode(request.PageToken) is { } token)
        {
            string prefix = request.TargetId + "/";
            before = token.StartsWith(prefix, StringComparison.Ordinal)
                     && long.TryParse(token[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long id)
                ? id
                : throw RpcErrors.InvalidArgument(
                    "page_token", "page_token is not a token returned by this server for this target's runs; pass next_page_token unchanged");
        }

        await FindAsync(request.TargetId, context);
        var rows = await runs.ListRunsAsync(request.TargetId, before, pageSize + 1, context.CancellationToken);
        var response = new ListExportRunsResponse();
        response.Runs.AddRange(rows.Take(pageSize).Select(ToMessage));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode($"{request.TargetId}/{rows[pageSize - 1].RunId.ToString(CultureInfo.InvariantCulture)}");
        }

        return response;
    }

    private async Task<ExportTarget> SetPausedAsync(string targetId, bool paused, ServerCallContext context)
    {
        var current = await FindAsync(targetId, context);
        var stored = await targets.UpdateAsync(current with { Paused = paused }, time.GetUtcNow().UtcDateTime, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"Export target '{targetId}' does not exist.");
        return await ToMessageAsync(stored, context.CancellationToken);
    }

    private async Task<ExportTargetRecord> FindAsync(string targetId, ServerCallContext context, string field = "target_id")
    {
        ExportTargetValidator.CheckTargetId(targetId, field);
        return await targets.GetAsync(targetId, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"Export target '{targetId}' does not exist.");
    }

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static int PageSize(int requested) => requested switch
    {
        < 0 => throw RpcErrors.InvalidArgument("page_size", $"page_size {requested} is negative; use 0 for the default of {DefaultPageSize}"),
        0 => DefaultPageSize,
        _ => Math.Min(requested, MaxPageSize),
    };

    private async Task<ExportTarget> ToMessageAsync(ExportTargetRecord record, CancellationToken cancellationToken)
    {
        var last = await runs.LastSuccessfulRunsAsync([record.TargetId], cancellationToken);
        return ToMessage(record, last.GetValueOrDefault(record.TargetId));
    }

    private ExportTarget ToMessage(ExportTargetRecord record, ExportRunRecord? lastSuccessful)
    {
        var message = new ExportTarget
        {
            TargetId = record.TargetId,
            DisplayName = record.DisplayName,
            Destination = record.Destination,
            Schedule = record.Schedule,
            TimeZone = record.TimeZone,
            RowGroupRows = record.RowGroupRows,
            ConfidenceLevel = record.ConfidenceLevel,
            Paused = record.Paused,
            CreateTime = Stamp(record.CreateTime),
            UpdateTime = Stamp(record.UpdateTime),
            LastSuccessfulRun = lastSuccessful is null ? null : ToMessage(lastSuccessful),
        };
        message.SurveyIds.AddRange(record.SurveyIds);
        message.SegmentKeys.AddRange(record.SegmentKeys);
        if (!record.Paused && record.Schedule.Length > 0
            && ExportSchedule.TryParse(record.Schedule, ExportTargetValidator.CheckTimeZone(record.TimeZone, "time_zone").Zone, out _) is { } schedule)
        {
            DateTime after = record.LastSlot ?? record.CreateTime;
            DateTime now = time.GetUtcNow().UtcDateTime;
            if (schedule.NextSlot(after < now ? after : now) is { } next)
            {
                message.NextRunTime = Stamp(next);
            }
        }

        return message;
    }

    private static ExportRun ToMessage(ExportRunRecord run)
    {
        var message = new ExportRun
        {
            RunId = run.RunId,
            TargetId = run.TargetId,
            Trigger = run.Trigger == "schedule" ? ExportTrigger.Schedule : ExportTrigger.Manual,
            State = run.State switch
            {
                "queued" => ExportRunState.Queued,
                "running" or "committed" => ExportRunState.Running,
                "succeeded" => ExportRunState.Succeeded,
                _ => ExportRunState.Failed,
            },
            RestateFrom = run.RestateFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            RestateTo = run.RestateTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            RowsWritten = run.RowsWritten,
            FilesWritten = run.FilesWritten,
            BytesWritten = run.BytesWritten,
            ManifestPath = run.ManifestPath ?? "",
            Error = run.Error ?? "",
            Attempts = run.Attempts,
            QueueTime = Stamp(run.QueueTime),
        };
        if (run.Slot is { } slot)
        {
            message.SlotTime = Stamp(slot);
        }

        if (run.StartTime is { } start)
        {
            message.StartTime = Stamp(start);
        }

        if (run.EndTime is { } end)
        {
            message.EndTime = Stamp(end);
        }

        return message;
    }

    private static Timestamp Stamp(DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}

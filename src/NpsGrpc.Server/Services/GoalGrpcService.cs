using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Goals;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Storage.Goals;
using NpsGrpc.Storage.Surveys;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC NPS goals: create, get, list, delete and progress.</summary>
public sealed class GoalGrpcService(
    GoalStore store, SurveyStore surveys, CohortResolver cohorts, GoalProgressCalculator progress)
    : GoalService.GoalServiceBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 1000;

    /// <inheritdoc />
    public override async Task<CreateGoalResponse> CreateGoal(CreateGoalRequest request, ServerCallContext context)
    {
        var goal = GoalValidator.Check(request.Goal);
        _ = await surveys.GetAsync(goal.SurveyId, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"Survey '{goal.SurveyId}' in goal.survey_id does not exist.");
        _ = await cohorts.ResolveAsync(goal.CohortFilters, "goal.cohort_filters", context.CancellationToken);
        var created = await store.CreateAsync(goal.GoalId, goal.SurveyId, goal.ToByteArray(), context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.AlreadyExists, $"Goal '{goal.GoalId}' already exists."));
        return new CreateGoalResponse { Goal = ToMessage(created) };
    }

    /// <inheritdoc />
    public override async Task<GetGoalResponse> GetGoal(GetGoalRequest request, ServerCallContext context) =>
        new() { Goal = await LoadAsync(request.GoalId, context.CancellationToken) };

    /// <inheritdoc />
    public override async Task<ListGoalsResponse> ListGoals(ListGoalsRequest request, ServerCallContext context)
    {
        string? surveyId = null;
        if (request.SurveyId.Length > 0)
        {
            surveyId = Identifiers.IsSurveyId(request.SurveyId)
                ? request.SurveyId
                : throw RpcErrors.InvalidArgument("survey_id", SurveyDirectory.InvalidSurveyIdMessage(request.SurveyId));
        }

        if (request.PageSize < 0)
        {
            throw RpcErrors.InvalidArgument("page_size", $"page_size {request.PageSize} is negative; use 0 for the default of {DefaultPageSize}");
        }

        int pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        string? after = PageToken.Decode(request.PageToken);

        // Reading one row more than the page size shows whether another page follows.
        var rows = await store.ListAsync(surveyId, after, pageSize + 1, context.CancellationToken);
        var response = new ListGoalsResponse();
        response.Goals.AddRange(rows.Take(pageSize).Select(ToMessage));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(rows[pageSize - 1].GoalId);
        }

        return response;
    }

    /// <inheritdoc />
    public override async Task<DeleteGoalResponse> DeleteGoal(DeleteGoalRequest request, ServerCallContext context)
    {
        GoalValidator.CheckId(request.GoalId, "goal_id");
        return await store.DeleteAsync(request.GoalId, context.CancellationToken)
            ? new DeleteGoalResponse()
            : throw RpcErrors.NotFound($"Goal '{request.GoalId}' does not exist.");
    }

    /// <inheritdoc />
    public override async Task<GetGoalProgressResponse> GetGoalProgress(GetGoalProgressRequest request, ServerCallContext context)
    {
        var goal = await LoadAsync(request.GoalId, context.CancellationToken);
        return await progress.CalculateAsync(goal, context.CancellationToken);
    }

    private async Task<Goal> LoadAsync(string goalId, CancellationToken cancellationToken)
    {
        GoalValidator.CheckId(goalId, "goal_id");
        var record = await store.GetAsync(goalId, cancellationToken)
            ?? throw RpcErrors.NotFound($"Goal '{goalId}' does not exist.");
        return ToMessage(record);
    }

    private static Goal ToMessage(GoalRecord record)
    {
        var goal = Goal.Parser.ParseFrom(record.Definition);
        goal.CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(record.CreateTime, DateTimeKind.Utc));
        return goal;
    }
}

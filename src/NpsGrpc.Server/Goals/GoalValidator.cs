using Grpc.Core;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Ingest;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Goals;

/// <summary>Checks a goal before it is stored, and fills in its defaults.</summary>
public static class GoalValidator
{
    /// <summary>Confidence level used when a goal leaves it at 0.</summary>
    public const double DefaultConfidenceLevel = 0.95;

    /// <summary>Longest display name, in characters.</summary>
    public const int MaxDisplayNameLength = 200;

    /// <summary>Returns a copy of <paramref name="goal"/> with defaults filled in, or throws INVALID_ARGUMENT.</summary>
    public static Goal Check(Goal? goal)
    {
        if (goal is null)
        {
            throw RpcErrors.InvalidArgument("goal", "goal is required");
        }

        CheckId(goal.GoalId, "goal.goal_id");
        if (!Identifiers.IsSurveyId(goal.SurveyId))
        {
            throw RpcErrors.InvalidArgument("goal.survey_id", "goal." + SurveyDirectory.InvalidSurveyIdMessage(goal.SurveyId));
        }

        if (Identifiers.CheckName(goal.DisplayName, MaxDisplayNameLength) is { } nameProblem)
        {
            throw RpcErrors.InvalidArgument("goal.display_name", $"goal.display_name {nameProblem}");
        }

        if (!double.IsFinite(goal.TargetNps) || goal.TargetNps is < -100 or > 100)
        {
            throw RpcErrors.InvalidArgument(
                "goal.target_nps", $"goal.target_nps {goal.TargetNps} is invalid; an NPS is from -100 to 100");
        }

        double level = goal.ConfidenceLevel == 0 ? DefaultConfidenceLevel : goal.ConfidenceLevel;
        if (!(level > 0 && level < 1))
        {
            throw RpcErrors.InvalidArgument(
                "goal.confidence_level", $"goal.confidence_level {goal.ConfidenceLevel} is invalid; it must be strictly between 0 and 1");
        }

        QueryRequestParser.ReadRequiredRange(goal.StartTime, goal.EndTime, "goal.");
        WithFieldPrefix("goal.", () => QueryRequestParser.ReadFilters(goal.Filters));
        CohortResolver.CheckNames(goal.CohortFilters, "goal.cohort_filters");

        var checkedGoal = goal.Clone();
        checkedGoal.ConfidenceLevel = level;
        checkedGoal.CreateTime = null;
        return checkedGoal;
    }

    /// <summary>Checks a goal id: the same rules as a survey id.</summary>
    public static void CheckId(string goalId, string field)
    {
        if (!Identifiers.IsSurveyId(goalId))
        {
            throw RpcErrors.InvalidArgument(
                field,
                $"{field} '{Identifiers.Shorten(goalId)}' is invalid; use 1 to 63 lowercase letters, digits and hyphens, " +
                "starting with a letter or digit");
        }
    }

    // The shared query parser names fields from the root of a GetNps request; a goal nests them under goal.
    private static void WithFieldPrefix(string prefix, Action check)
    {
        try
        {
            check();
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.InvalidArgument
                                             && exception.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>() is { } badRequest)
        {
            var violation = badRequest.FieldViolations.Single();
            throw RpcErrors.InvalidArgument(prefix + violation.Field, prefix + violation.Description);
        }
    }
}

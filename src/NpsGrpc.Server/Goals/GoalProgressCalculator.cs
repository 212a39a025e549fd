using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Domain.Goals;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Cohorts;
using NpsGrpc.V1;
using DomainGoalState = NpsGrpc.Domain.Goals.GoalState;

namespace NpsGrpc.Server.Goals;

/// <summary>
/// Computes a goal's progress with the GetNps query path, so the counts, NPS and adjusted Wald interval are the ones
/// GetNps returns for the same survey, filters, cohort filters and range, and decides the state with
/// <see cref="GoalRule"/>.
/// </summary>
public sealed class GoalProgressCalculator(SegmentQuery segments, CohortStore cohorts, TimeProvider time)
{
    /// <summary>
    /// Returns the progress of <paramref name="goal"/> at the current time. Throws NOT_FOUND, naming the field and the
    /// cohort, when a cohort of the goal was deleted after the goal was created.
    /// </summary>
    public async Task<GetGoalProgressResponse> CalculateAsync(Goal goal, CancellationToken cancellationToken)
    {
        await EnsureCohortsExistAsync(goal, cancellationToken);
        DateTime now = time.GetUtcNow().UtcDateTime;
        DateTime start = goal.StartTime.ToDateTime();
        DateTime end = goal.EndTime.ToDateTime();
        NpsStatistics statistics;
        DateTime until;
        if (now <= start)
        {
            until = start;
            var options = QueryRequestParser.ReadOptions(goal.ConfidenceLevel, IntervalMethod.AdjustedWald, 0, false);
            statistics = StatisticsBuilder.Build(default, default, options);
        }
        else
        {
            until = now < end ? now : end;
            var request = new GetNpsRequest
            {
                SurveyId = goal.SurveyId,
                StartTime = goal.StartTime,
                EndTime = Timestamp.FromDateTime(until),
                ConfidenceLevel = goal.ConfidenceLevel,
                IntervalMethod = IntervalMethod.AdjustedWald,
            };
            request.Filters.AddRange(goal.Filters);
            request.CohortFilters.AddRange(goal.CohortFilters);
            statistics = (await segments.RunAsync(request, cancellationToken)).Overall;
        }

        bool hasInterval = statistics.HasNps && statistics.ConfidenceInterval is not null;
        var state = GoalRule.Decide(
            goal.TargetNps, start, end, now,
            hasInterval ? statistics.ConfidenceInterval!.Lower : null,
            hasInterval ? statistics.ConfidenceInterval!.Upper : null,
            statistics.InsufficientSample);
        return new GetGoalProgressResponse
        {
            Goal = goal,
            State = state switch
            {
                DomainGoalState.NotStarted => V1.GoalState.NotStarted,
                DomainGoalState.Met => V1.GoalState.Met,
                DomainGoalState.Missed => V1.GoalState.Missed,
                _ => V1.GoalState.Undecided,
            },
            Statistics = statistics,
            EvaluatedUntil = Timestamp.FromDateTime(until),
            PeriodEnded = now >= end,
        };
    }

    // GetNps would report a deleted cohort as cohort_filters[i], a field of a request the caller never sent, so the
    // goal's own field is checked first.
    private async Task EnsureCohortsExistAsync(Goal goal, CancellationToken cancellationToken)
    {
        if (goal.CohortFilters.Count == 0)
        {
            return;
        }

        var records = await cohorts.GetManyAsync(goal.CohortFilters, cancellationToken);
        var stored = records.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < goal.CohortFilters.Count; i++)
        {
            if (!stored.Contains(goal.CohortFilters[i]))
            {
                throw RpcErrors.NotFound(
                    $"goal.cohort_filters[{i}]: cohort '{goal.CohortFilters[i]}' of goal '{goal.GoalId}' no longer exists, " +
                    "so the goal's progress cannot be computed. Create a cohort with that name again, or delete the goal " +
                    "and create it without that cohort.");
            }
        }
    }
}

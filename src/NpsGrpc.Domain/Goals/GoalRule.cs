namespace NpsGrpc.Domain.Goals;

/// <summary>
/// Decides a goal from the NPS interval over [start, min(now, end)). The first rule that applies decides. Before the
/// start the goal is not started. A lower bound at or above the target meets it. An upper bound below the target
/// misses it. Once the period has ended, a goal not met is missed. Otherwise it is undecided. Without any response
/// there is no interval, so the goal is undecided while the period runs and missed after it. While the period runs,
/// a sample too small for its interval to be trusted (the insufficient_sample flag of the statistics) decides
/// nothing: with one response the adjusted Wald interval can even lie below the NPS itself.
/// </summary>
public static class GoalRule
{
    /// <summary>Returns the state of a goal with <paramref name="target"/> NPS at <paramref name="now"/>.</summary>
    /// <param name="target">Target NPS, -100 to 100.</param>
    /// <param name="start">Start of the period, inclusive.</param>
    /// <param name="end">End of the period, exclusive.</param>
    /// <param name="now">The instant of the decision.</param>
    /// <param name="lower">Lower bound of the interval, or null when no response counts.</param>
    /// <param name="upper">Upper bound of the interval, or null when no response counts.</param>
    /// <param name="insufficientSample">Whether the sample is too small for its interval to decide before the end.</param>
    public static GoalState Decide(
        double target, DateTime start, DateTime end, DateTime now, double? lower, double? upper, bool insufficientSample = false)
    {
        if (now < start)
        {
            return GoalState.NotStarted;
        }

        bool ended = now >= end;
        if (insufficientSample && !ended)
        {
            return GoalState.Undecided;
        }

        if (lower is { } low && low >= target)
        {
            return GoalState.Met;
        }

        if (upper is { } high && high < target)
        {
            return GoalState.Missed;
        }

        return ended ? GoalState.Missed : GoalState.Undecided;
    }
}

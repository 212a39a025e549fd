namespace NpsGrpc.Domain.Goals;

/// <summary>The state of an NPS goal, as <see cref="GoalRule"/> decides it.</summary>
public enum GoalState
{
    /// <summary>The period has not started.</summary>
    NotStarted,

    /// <summary>The period is running and the evidence does not decide the goal at its confidence level.</summary>
    Undecided,

    /// <summary>The interval's lower bound is at or above the target.</summary>
    Met,

    /// <summary>The interval's upper bound is below the target, or the period ended without the goal being met.</summary>
    Missed,
}

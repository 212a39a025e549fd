using NpsGrpc.Domain.Goals;

namespace NpsGrpc.Domain.Tests;

public sealed class GoalRuleTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = new(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime During = new(2026, 2, 15, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(-1, 10.0, 50.0, GoalState.NotStarted)]
    [InlineData(0, 30.0, 50.0, GoalState.Met)]
    [InlineData(0, 29.99, 50.0, GoalState.Undecided)]
    [InlineData(0, 10.0, 30.0, GoalState.Undecided)]
    [InlineData(0, 10.0, 29.99, GoalState.Missed)]
    [InlineData(1, 30.0, 50.0, GoalState.Met)]
    [InlineData(1, 29.99, 50.0, GoalState.Missed)]
    [InlineData(1, 10.0, 20.0, GoalState.Missed)]
    public void Decide_TargetThirty_MatchesRule(int phase, double lower, double upper, GoalState expected)
    {
        DateTime now = phase switch
        {
            < 0 => Start.AddTicks(-1),
            0 => During,
            _ => End,
        };

        Assert.Equal(expected, GoalRule.Decide(30, Start, End, now, lower, upper));
    }

    [Fact]
    public void Decide_NoResponsesRunning_Undecided()
    {
        Assert.Equal(GoalState.Undecided, GoalRule.Decide(30, Start, End, During, null, null));
    }

    [Fact]
    public void Decide_NoResponsesEnded_Missed()
    {
        Assert.Equal(GoalState.Missed, GoalRule.Decide(30, Start, End, End, null, null));
    }
}

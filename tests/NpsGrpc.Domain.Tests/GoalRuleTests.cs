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

    [Theory]
    [InlineData(-48.5, 98.5, GoalState.Undecided)]
    [InlineData(40.0, 98.5, GoalState.Undecided)]
    public void Decide_SmallSampleRunning_Undecided(double lower, double upper, GoalState expected)
    {
        // One promoter: NPS 100, and the adjusted Wald interval [-48.5, 98.5] lies below it, so a target of 99 would
        // look missed and a target of 30 met if the interval decided.
        Assert.Equal(expected, GoalRule.Decide(99, Start, End, During, lower, upper, insufficientSample: true));
        Assert.Equal(expected, GoalRule.Decide(30, Start, End, During, lower, upper, insufficientSample: true));
    }

    [Fact]
    public void Decide_SmallSampleEnded_StillDecided()
    {
        Assert.Equal(GoalState.Missed, GoalRule.Decide(99, Start, End, End, -48.5, 98.5, insufficientSample: true));
        Assert.Equal(GoalState.Met, GoalRule.Decide(30, Start, End, End, 40.0, 98.5, insufficientSample: true));
    }
}

using NpsGrpc.Server.Errors;

namespace NpsGrpc.IntegrationTests.Faults;

public sealed class OutageLogLimiterTests
{
    [Fact]
    public void TryEnter_WithinInterval_CountsSkipped()
    {
        var clock = new ManualClock();
        var limiter = new OutageLogLimiter(clock);

        Assert.True(limiter.TryEnter(out int first));
        Assert.Equal(0, first);
        for (int i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.False(limiter.TryEnter(out _));
        }

        clock.Advance(OutageLogLimiter.Interval);
        Assert.True(limiter.TryEnter(out int skipped));
        Assert.Equal(5, skipped);
    }

    [Fact]
    public void TryEnter_AfterQuietInterval_LogsAgain()
    {
        var clock = new ManualClock();
        var limiter = new OutageLogLimiter(clock);

        Assert.True(limiter.TryEnter(out _));
        clock.Advance(OutageLogLimiter.Interval);

        Assert.True(limiter.TryEnter(out int skipped));
        Assert.Equal(0, skipped);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan step) => _now += step;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}

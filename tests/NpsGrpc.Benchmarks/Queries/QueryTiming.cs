using System.Diagnostics;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Wall times of the timed runs of one question on one engine.</summary>
/// <param name="Runs">Time of each timed run, in run order; warm-up runs are not included.</param>
public sealed record QueryTiming(IReadOnlyList<TimeSpan> Runs)
{
    /// <summary>Median of the runs; the mean of the middle two for an even number of runs.</summary>
    public TimeSpan Median
    {
        get
        {
            var sorted = Runs.Order().ToList();
            int middle = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    /// <summary>Fastest run.</summary>
    public TimeSpan Min => Runs.Min();

    /// <summary>Slowest run.</summary>
    public TimeSpan Max => Runs.Max();

    /// <summary>
    /// Runs <paramref name="ask"/> <paramref name="warmUps"/> times untimed and then <paramref name="repeats"/> times
    /// timed, one after another. Returns the times and the result of the first run. Throws
    /// <see cref="BenchmarkException"/> when a later run's counts differ from it.
    /// </summary>
    public static async Task<(QueryTiming Timing, CountTable Result)> MeasureAsync(
        Func<Task<CountTable>> ask, int warmUps, int repeats, string description)
    {
        CountTable? first = null;
        var runs = new List<TimeSpan>(repeats);
        for (int run = 0; run < warmUps + repeats; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            var result = await ask();
            stopwatch.Stop();
            if (run >= warmUps)
            {
                runs.Add(stopwatch.Elapsed);
            }

            first ??= result;
            if (first.Differences(result).FirstOrDefault() is { } difference)
            {
                throw new BenchmarkException(
                    $"{description} gave different counts in run {run + 1} than in run 1, first at {difference}.");
            }
        }

        return (new QueryTiming(runs), first!);
    }
}

using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>Shows how far a command has got, as a progress bar on stderr when stderr is a terminal.</summary>
internal static class ProgressDisplay
{
    /// <summary>
    /// Runs <paramref name="work"/>, which reports how much of <paramref name="total"/> (bytes of a file, or items)
    /// is done through the callback it is given. Without a terminal on stderr the callback does nothing.
    /// </summary>
    public static async Task<T> RunAsync<T>(string description, long total, Func<Action<long>, Task<T>> work)
    {
        if (Consoles.CreateProgressConsole() is not { } console)
        {
            return await work(_ => { });
        }

        return await console.Progress()
            .AutoClear(true)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
                T result = await work(done => task.Value = done);
                task.Value = task.MaxValue;
                return result;
            });
    }
}

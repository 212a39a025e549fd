using System.CommandLine;

namespace NpsGrpc.Benchmarks;

/// <summary>Validation shared by the benchmark commands' options.</summary>
internal static class BenchmarkOptions
{
    /// <summary>Rejects a value below 1 with a message naming the option.</summary>
    public static void RequirePositive(Option<int> option) =>
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"{option.Name} must be a positive integer.");
            }
        });
}

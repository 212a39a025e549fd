using Grpc.Core;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Times one question on the rollup path, in DuckDB and on the raw-row path, and compares results.</summary>
public static class QuestionRun
{
    private const int ShownDifferences = 5;

    /// <summary>
    /// Runs the question on the three engines. Throws <see cref="BenchmarkException"/> when the rollup and raw-row
    /// results differ in any count. DuckDB's differences are returned for the report.
    /// </summary>
    public static async Task<QuestionResult> RunAsync(
        NpsQuestion question,
        QueryService.QueryServiceClient rollupClient,
        QueryService.QueryServiceClient rawClient,
        DuckDbReference duckDb,
        QueriesSettings settings,
        CancellationToken cancellationToken)
    {
        var (rollup, rollupResult) = await QueryTiming.MeasureAsync(
            () => AskAsync(question, rollupClient, "rollup path", cancellationToken),
            QueriesSettings.WarmUps,
            settings.Repeats,
            $"'{question.Label}' on the rollup path");
        var (duck, duckResult) = await QueryTiming.MeasureAsync(
            () => Task.FromResult(duckDb.Count(question)),
            QueriesSettings.WarmUps,
            settings.Repeats,
            $"'{question.Label}' in DuckDB");
        var (raw, rawResult) = await QueryTiming.MeasureAsync(
            () => AskAsync(question, rawClient, "raw-row path", cancellationToken),
            QueriesSettings.RawWarmUps,
            settings.RawRepeats,
            $"'{question.Label}' on the raw-row path");

        var rawDifferences = rollupResult.Differences(rawResult);
        if (rawDifferences.Count > 0)
        {
            throw new BenchmarkException(
                $"'{question.Label}': the rollup and raw-row results differ in {rawDifferences.Count} of " +
                $"{rollupResult.Count} groups or buckets (rollup vs raw, promoters/passives/detractors): " +
                string.Join("; ", rawDifferences.Take(ShownDifferences)));
        }

        return new QuestionResult(
            question.Label, rollup, raw, duck, rollupResult.Count, rollupResult.Differences(duckResult));
    }

    private static async Task<CountTable> AskAsync(
        NpsQuestion question,
        QueryService.QueryServiceClient client,
        string path,
        CancellationToken cancellationToken)
    {
        try
        {
            return await question.AskServerAsync(client, cancellationToken);
        }
        catch (RpcException exception)
        {
            throw new BenchmarkException(
                $"'{question.Label}' on the {path} failed with {exception.StatusCode}: {exception.Status.Detail}");
        }
    }
}

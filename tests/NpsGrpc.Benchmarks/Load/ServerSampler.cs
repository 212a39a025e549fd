using NpsGrpc.Testing;

namespace NpsGrpc.Benchmarks.Load;

/// <summary>Peaks and last values of the server's own metrics, scraped from its Prometheus endpoint during a run.</summary>
public sealed class ServerSampler(string? metricsUrl)
{
    /// <summary>Peak process working set, in bytes.</summary>
    public double PeakWorkingSet { get; private set; } = double.NaN;

    /// <summary>Peak GC heap size after a collection (all generations), in bytes.</summary>
    public double PeakGcHeap { get; private set; } = double.NaN;

    /// <summary>Peak connections in use in the server's pool.</summary>
    public double PeakPoolUsed { get; private set; } = double.NaN;

    /// <summary>Peak requests waiting for a pooled connection.</summary>
    public double PeakPoolPending { get; private set; } = double.NaN;

    /// <summary>The pool's maximum size.</summary>
    public double PoolMax { get; private set; } = double.NaN;

    /// <summary>Requests that timed out waiting for a pooled connection, at the last scrape.</summary>
    public double PoolTimeouts { get; private set; } = double.NaN;

    /// <summary>Failed scrapes (the endpoint was unreachable or returned an error).</summary>
    public int FailedScrapes { get; private set; }

    /// <summary>Whether a metrics URL was given.</summary>
    public bool IsEnabled => metricsUrl is not null;

    /// <summary>Scrapes every <paramref name="interval"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        if (metricsUrl is null)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            await SampleAsync(cancellationToken);
            try
            {
                await Task.Delay(interval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Scrapes once and updates the peaks.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        if (metricsUrl is null)
        {
            return;
        }

        PrometheusText metrics;
        try
        {
            metrics = await PrometheusText.ScrapeAsync(metricsUrl, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            FailedScrapes++;
            return;
        }

        PeakWorkingSet = Max(PeakWorkingSet, metrics.Sum("dotnet_process_memory_working_set_bytes"));
        PeakGcHeap = Max(PeakGcHeap, metrics.Sum("dotnet_gc_last_collection_heap_size_bytes"));
        PeakPoolUsed = Max(PeakPoolUsed, metrics.Sum("db_client_connection_count", "db_client_connection_state=used"));
        PeakPoolPending = Max(PeakPoolPending, metrics.Sum("db_client_connection_npgsql_pending_requests"));
        PoolMax = metrics.Sum("db_client_connection_max");
        PoolTimeouts = metrics.Sum("db_client_connection_npgsql_timeouts_total");
    }

    private static double Max(double current, double sample) => double.IsNaN(current) ? sample : Math.Max(current, sample);
}

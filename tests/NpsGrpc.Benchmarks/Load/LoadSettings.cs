namespace NpsGrpc.Benchmarks.Load;

/// <summary>Parameters of one load run.</summary>
/// <param name="Streams">Concurrent StreamResponses calls, each sending a batch and waiting for its acknowledgement.</param>
/// <param name="Queriers">Concurrent callers of the query RPCs, each calling the next query kind as soon as one returns.</param>
/// <param name="Duration">How long the streams and queriers run; calls in flight at the end are finished, not cut.</param>
/// <param name="BatchSize">Responses per batch.</param>
/// <param name="Surveys">Surveys the streams spread over (stream i sends to survey i mod Surveys); queriers use all.</param>
/// <param name="Address">gRPC address of a running server, or null to start the built server as a child process.</param>
/// <param name="MetricsUrl">Prometheus scrape URL of the server at <paramref name="Address"/>, or null.</param>
/// <param name="Seed">Seed of the response generator.</param>
public sealed record LoadSettings(
    int Streams, int Queriers, TimeSpan Duration, int BatchSize, int Surveys, string? Address, string? MetricsUrl, int Seed)
{
    /// <summary>How often the server's metrics are scraped during the run.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(2);

    /// <summary>Parses a duration such as 60s, 5m, 90 (seconds) or 00:01:30, or returns null for any other text.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        if (text.EndsWith('s') && double.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out double seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (text.EndsWith('m') && double.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out double minutes))
        {
            return TimeSpan.FromMinutes(minutes);
        }

        if (double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out double plain))
        {
            return TimeSpan.FromSeconds(plain);
        }

        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) ? span : null;
    }
}

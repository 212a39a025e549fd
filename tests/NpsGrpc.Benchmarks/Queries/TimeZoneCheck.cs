using System.Globalization;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>One instant converted to Europe/Berlin local time and week by DuckDB and by .NET.</summary>
public sealed record TimeZoneSample(
    DateTime Utc, string DuckDbLocal, string DotNetLocal, string DuckDbWeek, string DotNetWeek)
{
    /// <summary>Whether both conversions agree.</summary>
    public bool Agrees => DuckDbLocal == DotNetLocal && DuckDbWeek == DotNetWeek;
}

/// <summary>
/// Checks that DuckDB's <c>timezone(zone, timestamptz)</c> and <c>date_trunc('week', ...)</c> give the local time and
/// ISO week Monday that the server uses, at the edges of daylight saving time and of an ISO year.
/// </summary>
public static class TimeZoneCheck
{
    private static readonly DateTime[] Instants =
    [
        new(2024, 3, 31, 0, 59, 59, DateTimeKind.Utc), // 01:59:59 CET, just before the clocks go forward
        new(2024, 3, 31, 1, 0, 0, DateTimeKind.Utc), // 03:00 CEST
        new(2024, 10, 27, 0, 59, 59, DateTimeKind.Utc), // 02:59:59 CEST, just before the clocks go back
        new(2024, 10, 27, 1, 0, 0, DateTimeKind.Utc), // 02:00 CET, the repeated hour
        new(2024, 12, 29, 22, 59, 59, DateTimeKind.Utc), // Sunday 23:59:59 local, ISO week 2024-W52
        new(2024, 12, 29, 23, 0, 0, DateTimeKind.Utc), // Monday 00:00 local, ISO week 2025-W01
    ];

    /// <summary>Converts each sample instant in DuckDB and in .NET.</summary>
    public static IReadOnlyList<TimeZoneSample> Run(DuckDbReference duckDb)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(QuestionSet.TimeZone);
        var samples = new List<TimeZoneSample>();
        foreach (var instant in Instants)
        {
            string text = instant.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            string literal = $"TIMESTAMPTZ '{text}+00'";
            string local = $"timezone('{QuestionSet.TimeZone}', {literal})";
            string duckLocal = duckDb.Scalar<string>($"SELECT strftime({local}, '%Y-%m-%d %H:%M:%S')");
            string duckWeek = duckDb.Scalar<string>($"SELECT strftime(date_trunc('week', {local}), '%Y-%m-%d')");

            var dotNetLocal = TimeZoneInfo.ConvertTimeFromUtc(instant, zone);
            int daysSinceMonday = ((int)dotNetLocal.DayOfWeek + 6) % 7;
            samples.Add(new TimeZoneSample(
                instant,
                duckLocal,
                dotNetLocal.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                duckWeek,
                dotNetLocal.Date.AddDays(-daysSinceMonday).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }

        return samples;
    }
}

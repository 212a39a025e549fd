using System.Globalization;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>Reduces the server's query responses to their counts.</summary>
public static class ServerCounts
{
    /// <summary>Returns the overall counts and the counts of each group of a GetNpsResponse.</summary>
    public static CountTable FromNps(GetNpsResponse response)
    {
        var table = new CountTable();
        table.Add(CountTable.OverallKey, Counts(response.Overall));
        foreach (var group in response.Groups)
        {
            string key = string.Join(", ", group.Keys.Select(k => $"{k.Key}={(k.HasValue ? k.Value : "(missing)")}"));
            table.Add(key, Counts(group.Statistics));
        }

        return table;
    }

    /// <summary>
    /// Returns the counts of each non-empty bucket of the overall series of a GetNpsTrendResponse with ISO week
    /// buckets, keyed "week=" and the bucket's first local date (its Monday).
    /// </summary>
    public static CountTable FromWeeklyTrend(GetNpsTrendResponse response)
    {
        var table = new CountTable();
        foreach (var point in response.Series[0].Points.Where(p => p.Statistics.ResponseCount > 0))
        {
            table.Add($"week={IsoWeekMonday(point.Label)}", Counts(point.Statistics));
        }

        return table;
    }

    /// <summary>Returns the Monday of an ISO week label such as "2025-W01" (2024-12-30) as yyyy-MM-dd.</summary>
    public static string IsoWeekMonday(string label)
    {
        if (label.Length != 8 || label[4..6] != "-W"
            || !int.TryParse(label[..4], NumberStyles.None, CultureInfo.InvariantCulture, out int year)
            || !int.TryParse(label[6..], NumberStyles.None, CultureInfo.InvariantCulture, out int week))
        {
            throw new BenchmarkException($"The trend bucket label '{label}' is not an ISO week such as 2025-W01.");
        }

        return ISOWeek.ToDateTime(year, week, DayOfWeek.Monday).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private static CategoryCounts Counts(NpsStatistics statistics) =>
        new(statistics.PromoterCount, statistics.PassiveCount, statistics.DetractorCount);
}

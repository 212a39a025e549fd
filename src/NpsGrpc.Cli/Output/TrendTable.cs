using System.Globalization;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>Renders one series of a GetNpsTrend response: one row per bucket, in time order.</summary>
internal static class TrendTable
{
    /// <summary>Title of the overall series.</summary>
    public const string OverallTitle = "all responses";

    /// <summary>Adjusted p-value below which a change from the previous bucket is marked significant.</summary>
    public const double SignificanceLevel = 0.05;

    /// <summary>
    /// Builds the table of <paramref name="series"/>, with rolling columns when <paramref name="rollingWindow"/>
    /// is 2 or more.
    /// </summary>
    public static Table Build(NpsSeries series, int rollingWindow)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(Title(series))) };
        table.AddColumns(
            new TableColumn("bucket"),
            new TableColumn("n").RightAligned(),
            new TableColumn("NPS").RightAligned(),
            new TableColumn($"{IntervalLevel(series)}% interval").RightAligned());
        bool rolling = rollingWindow >= 2;
        if (rolling)
        {
            string window = rollingWindow.ToString(CultureInfo.InvariantCulture);
            table.AddColumns(
                new TableColumn($"n, last {window}").RightAligned(),
                new TableColumn($"NPS, last {window}").RightAligned());
        }

        table.AddColumns(
            new TableColumn("change").RightAligned(),
            new TableColumn("p-value").RightAligned(),
            new TableColumn("adj. p-value").RightAligned(),
            new TableColumn("note"));

        foreach (var point in series.Points)
        {
            var cells = new List<string>
            {
                point.Label,
                NumberText.Integer(point.Statistics.ResponseCount),
                NumberText.Nps(point.Statistics),
                NumberText.Interval(point.Statistics),
            };
            if (rolling)
            {
                cells.Add(point.RollingStatistics is { } window ? NumberText.Integer(window.ResponseCount) : "");
                cells.Add(point.RollingStatistics is { } statistics ? NumberText.Nps(statistics) : "");
            }

            cells.AddRange(ChangeCells(point.ChangeFromPrevious));
            cells.Add(Note(point));
            table.AddRow(cells.Select(cell => TerminalText.Cell(cell)));
        }

        return table;
    }

    /// <summary>Returns the title of a series: "all responses", or the attribute and its value.</summary>
    public static string Title(NpsSeries series)
    {
        string cohort = series.Cohort.Length > 0 ? $"cohort {series.Cohort}" : "";
        if (series.Keys.Count == 0)
        {
            return cohort.Length > 0 ? cohort : OverallTitle;
        }

        var key = series.Keys[0];
        string scope = key.Scope == AttributeScope.Customer ? " (customer)" : "";
        string segment = $"{key.Key}{scope} = {(key.HasValue ? key.Value : NpsTable.MissingLabel)}";
        return cohort.Length > 0 ? $"{cohort}, {segment}" : segment;
    }

    // Every point has the same level. A series of empty buckets has no interval, so the server's default is shown.
    private static string IntervalLevel(NpsSeries series)
    {
        double level = series.Points
            .Select(point => point.Statistics.ConfidenceInterval?.Level ?? 0)
            .FirstOrDefault(value => value > 0, NumberText.ServerDefaultConfidence);
        return NumberText.LevelPercent(level);
    }

    private static IEnumerable<string> ChangeCells(NpsChange? change)
    {
        if (change is null)
        {
            return [NumberText.Missing, "", ""];
        }

        return
        [
            NumberText.SignedOneDecimal(change.Difference),
            NumberText.PValue(change.PValue),
            NumberText.PValue(change.AdjustedPValue),
        ];
    }

    private static string Note(TrendPoint point)
    {
        var notes = new List<string>();
        if (point.Statistics.InsufficientSample)
        {
            notes.Add(NpsTable.InsufficientMarker);
        }

        // A bucket too small to trust is never called significant, whatever its p-value.
        if (!point.Statistics.InsufficientSample && point.ChangeFromPrevious is { } change && change.AdjustedPValue < SignificanceLevel)
        {
            notes.Add(SegmentsTable.SignificantMarker);
        }

        return string.Join(", ", notes);
    }
}

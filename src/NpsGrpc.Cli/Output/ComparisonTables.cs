using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>
/// Renders a CompareNps response: a table of both ranges, a line with the change and its test, and the
/// decomposition table when the response has one.
/// </summary>
internal static class ComparisonTables
{
    /// <summary>Label of the row of the current range.</summary>
    public const string CurrentLabel = "current";

    /// <summary>Label of the row of the baseline range.</summary>
    public const string BaselineLabel = "baseline";

    /// <summary>Label of the row of the summed effects in the decomposition table.</summary>
    public const string TotalLabel = "(total)";

    /// <summary>
    /// Writes the output for <paramref name="response"/> to <paramref name="request"/>, with range bounds in
    /// <paramref name="timeZone"/>.
    /// </summary>
    public static void Write(
        IAnsiConsole console, CompareNpsRequest request, CompareNpsResponse response, TimeZoneInfo timeZone)
    {
        console.Write(BuildRanges(request, response, timeZone));
        double? change = response.Current.HasNps && response.Baseline.HasNps
            ? response.Current.Nps - response.Baseline.Nps
            : null;
        console.WriteLine(ChangeLine(change, response.Change), Style.Plain);
        if (response.Decomposition is { } decomposition)
        {
            console.Write(BuildDecomposition(decomposition));
            console.WriteLine(EffectsLine(decomposition, response.Change?.Difference ?? change ?? 0), Style.Plain);
        }
        else if (request.DecomposeBy is not null)
        {
            string reason = change is null ? "a range has no responses" : "the server returned none";
            console.WriteLine($"No decomposition: {reason}.", Style.Plain);
        }
    }

    private static Table BuildRanges(CompareNpsRequest request, CompareNpsResponse response, TimeZoneInfo timeZone)
    {
        var table = new Table();
        table.AddColumns(
            new TableColumn("range"),
            new TableColumn("from"),
            new TableColumn("to (exclusive)"),
            new TableColumn("n").RightAligned(),
            new TableColumn("promoters").RightAligned(),
            new TableColumn("passives").RightAligned(),
            new TableColumn("detractors").RightAligned(),
            new TableColumn("NPS").RightAligned(),
            new TableColumn($"{IntervalLevel(response)}% interval").RightAligned(),
            new TableColumn("note"));
        AddRangeRow(table, CurrentLabel, request.Current, response.Current, timeZone);
        AddRangeRow(table, BaselineLabel, request.Baseline, response.Baseline, timeZone);
        return table;
    }

    private static void AddRangeRow(
        Table table, string label, TimeRange range, NpsStatistics statistics, TimeZoneInfo timeZone)
    {
        bool empty = statistics.ResponseCount == 0;
        string[] cells =
        [
            label,
            LocalTime(range.StartTime, timeZone),
            LocalTime(range.EndTime, timeZone),
            NumberText.Integer(statistics.ResponseCount),
            empty ? NumberText.Missing : NumberText.Percent(statistics.PromoterShare),
            empty ? NumberText.Missing : NumberText.Percent(statistics.PassiveShare),
            empty ? NumberText.Missing : NumberText.Percent(statistics.DetractorShare),
            NumberText.Nps(statistics),
            NumberText.Interval(statistics),
            statistics.InsufficientSample ? NpsTable.InsufficientMarker : "",
        ];
        table.AddRow(cells.Select(cell => TerminalText.Cell(cell)));
    }

    // The server leaves out the test when a range is empty, and when both ranges have a standard error of 0
    // because each range's responses all fall in one category.
    private static string ChangeLine(double? difference, NpsChange? test)
    {
        if (test is not null)
        {
            return $"change: {NumberText.SignedOneDecimal(test.Difference)} NPS points, standard error " +
                $"{NumberText.OneDecimal(test.StandardError)}, p-value {NumberText.PValue(test.PValue)}";
        }

        if (difference is { } value)
        {
            return $"change: {NumberText.SignedOneDecimal(value)} NPS points, not tested because both ranges " +
                "have a standard error of 0";
        }

        return "change: - (a range has no responses)";
    }

    private static Table BuildDecomposition(ChangeDecomposition decomposition)
    {
        string scope = decomposition.Attribute.Scope == AttributeScope.Customer ? " (customer)" : "";
        var table = new Table();
        table.AddColumns(
            new TableColumn(decomposition.Attribute.Key + scope),
            new TableColumn("baseline share").RightAligned(),
            new TableColumn("current share").RightAligned(),
            new TableColumn("baseline NPS").RightAligned(),
            new TableColumn("current NPS").RightAligned(),
            new TableColumn("mix effect").RightAligned(),
            new TableColumn("within effect").RightAligned());
        foreach (var segment in decomposition.Segments)
        {
            string[] cells =
            [
                segment.Key.HasValue ? segment.Key.Value : NpsTable.MissingLabel,
                NumberText.Percent(segment.BaselineShare),
                NumberText.Percent(segment.CurrentShare),
                NumberText.Nps(segment.Baseline),
                NumberText.Nps(segment.Current),
                NumberText.SignedOneDecimal(segment.MixEffect),
                NumberText.SignedOneDecimal(segment.WithinEffect),
            ];
            table.AddRow(cells.Select(cell => TerminalText.Cell(cell)));
        }

        string[] totals =
        [
            TotalLabel, "", "", "", "",
            NumberText.SignedOneDecimal(decomposition.MixEffect),
            NumberText.SignedOneDecimal(decomposition.WithinEffect),
        ];
        table.AddRow(totals.Select(cell => TerminalText.Cell(cell)));
        return table;
    }

    private static string EffectsLine(ChangeDecomposition decomposition, double change) =>
        $"change {NumberText.SignedOneDecimal(change)} = mix effect {NumberText.SignedOneDecimal(decomposition.MixEffect)}" +
        $" + within effect {NumberText.SignedOneDecimal(decomposition.WithinEffect)}" +
        $" + residual {NumberText.SignedOneDecimal(decomposition.Residual)}";

    private static string LocalTime(Timestamp instant, TimeZoneInfo timeZone)
    {
        DateTimeOffset local = TimeZoneInfo.ConvertTime(instant.ToDateTimeOffset(), timeZone);
        return local.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
    }

    // An empty range has no interval, so the level comes from whichever range has one.
    private static string IntervalLevel(CompareNpsResponse response)
    {
        double level = response.Current.ConfidenceInterval?.Level
            ?? response.Baseline.ConfidenceInterval?.Level
            ?? NumberText.ServerDefaultConfidence;
        return NumberText.LevelPercent(level);
    }
}

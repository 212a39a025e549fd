using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>Renders a GetNps response as a table: one row per group, then the overall row.</summary>
internal static class NpsTable
{
    /// <summary>Label of the overall row.</summary>
    public const string OverallLabel = "(all responses)";

    /// <summary>Label of the group of responses without the attribute.</summary>
    public const string MissingLabel = "(missing)";

    /// <summary>Marker of a group below the minimum sample size.</summary>
    public const string InsufficientMarker = "insufficient sample";

    /// <summary>
    /// Builds the table for <paramref name="response"/> to a request that grouped by <paramref name="groupBy"/>.
    /// NPS and interval bounds are shown with one decimal; the server's values are unrounded.
    /// </summary>
    public static Table Build(GetNpsResponse response, IReadOnlyList<AttributeRef> groupBy, double confidenceLevel)
    {
        var table = new Table();
        if (groupBy.Count == 0)
        {
            table.AddColumn("group");
        }

        foreach (var attribute in groupBy)
        {
            string scope = attribute.Scope == AttributeScope.Customer ? " (customer)" : "";
            table.AddColumn(attribute.Key + scope);
        }

        string level = NumberText.LevelPercent(confidenceLevel);
        table.AddColumns(
            new TableColumn("n").RightAligned(),
            new TableColumn("promoters").RightAligned(),
            new TableColumn("passives").RightAligned(),
            new TableColumn("detractors").RightAligned(),
            new TableColumn("NPS").RightAligned(),
            new TableColumn($"{level}% interval").RightAligned(),
            new TableColumn("note"));

        foreach (var group in response.Groups)
        {
            var cells = group.Keys.Select(key => key.HasValue ? key.Value : MissingLabel);
            table.AddRow(cells.Concat(StatisticsCells(group.Statistics)).Select(cell => TerminalText.Cell(cell)));
        }

        int labelColumns = Math.Max(1, groupBy.Count);
        var overallLabels = Enumerable.Range(0, labelColumns).Select(i => i == 0 ? OverallLabel : "");
        table.AddRow(overallLabels.Concat(StatisticsCells(response.Overall)).Select(cell => TerminalText.Cell(cell)));
        return table;
    }

    private static IEnumerable<string> StatisticsCells(NpsStatistics statistics)
    {
        yield return NumberText.Integer(statistics.ResponseCount);
        yield return NumberText.Integer(statistics.PromoterCount);
        yield return NumberText.Integer(statistics.PassiveCount);
        yield return NumberText.Integer(statistics.DetractorCount);
        yield return NumberText.Nps(statistics);
        yield return NumberText.Interval(statistics);
        yield return statistics.InsufficientSample ? InsufficientMarker : "";
    }
}

using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>
/// Renders a GetNps response for 'nps segments': one row per group with shares, NPS, interval and the difference
/// from overall with its p-values, then the overall row.
/// </summary>
internal static class SegmentsTable
{
    /// <summary>Note of a group whose adjusted p-value is below 1 - confidence level.</summary>
    public const string SignificantMarker = "significant";

    /// <summary>
    /// Builds the table for <paramref name="response"/> to a request that grouped by <paramref name="groupBy"/>
    /// (and by named cohorts when <paramref name="byCohort"/> is set, in a first "cohort" column) at
    /// <paramref name="confidenceLevel"/>. In weighted mode an "eff. n" column shows the effective sample size.
    /// </summary>
    public static Table Build(GetNpsResponse response, IReadOnlyList<AttributeRef> groupBy, bool byCohort, double confidenceLevel)
    {
        bool weighted = response.Overall.HasEffectiveSampleSize;
        var table = new Table();
        if (byCohort)
        {
            table.AddColumn("cohort");
        }
        else if (groupBy.Count == 0)
        {
            table.AddColumn("group");
        }

        foreach (var attribute in groupBy)
        {
            string scope = attribute.Scope == AttributeScope.Customer ? " (customer)" : "";
            table.AddColumn(attribute.Key + scope);
        }

        table.AddColumn(new TableColumn("n").RightAligned());
        if (weighted)
        {
            table.AddColumn(new TableColumn("eff. n").RightAligned());
        }

        table.AddColumns(
            new TableColumn("promoters").RightAligned(),
            new TableColumn("passives").RightAligned(),
            new TableColumn("detractors").RightAligned(),
            new TableColumn("NPS").RightAligned(),
            new TableColumn($"{NumberText.LevelPercent(confidenceLevel)}% interval").RightAligned(),
            new TableColumn("vs overall").RightAligned(),
            new TableColumn("p-value").RightAligned(),
            new TableColumn("adj. p-value").RightAligned(),
            new TableColumn("note"));

        double significanceLevel = 1 - confidenceLevel;
        foreach (var group in response.Groups)
        {
            var labels = group.Keys.Select(key => key.HasValue ? key.Value : NpsTable.MissingLabel);
            if (byCohort)
            {
                labels = labels.Prepend(group.Cohort);
            }

            var cells = labels
                .Concat(StatisticsCells(group.Statistics, weighted))
                .Concat(DifferenceCells(group.DifferenceFromOverall))
                .Append(Note(group.Statistics, group.DifferenceFromOverall, significanceLevel));
            table.AddRow(cells.Select(cell => TerminalText.Cell(cell)));
        }

        int labelColumns = Math.Max(1, groupBy.Count + (byCohort ? 1 : 0));
        var overallCells = Enumerable.Range(0, labelColumns)
            .Select(i => i == 0 ? NpsTable.OverallLabel : "")
            .Concat(StatisticsCells(response.Overall, weighted))
            .Concat(DifferenceCells(null))
            .Append(Note(response.Overall, null, significanceLevel));
        table.AddRow(overallCells.Select(cell => TerminalText.Cell(cell)));
        return table;
    }

    private static IEnumerable<string> StatisticsCells(NpsStatistics statistics, bool weighted)
    {
        yield return NumberText.Integer(statistics.ResponseCount);
        if (weighted)
        {
            yield return statistics.HasEffectiveSampleSize
                ? NumberText.OneDecimal(statistics.EffectiveSampleSize)
                : NumberText.Missing;
        }

        bool empty = statistics.ResponseCount == 0;
        yield return empty ? NumberText.Missing : NumberText.Percent(statistics.PromoterShare);
        yield return empty ? NumberText.Missing : NumberText.Percent(statistics.PassiveShare);
        yield return empty ? NumberText.Missing : NumberText.Percent(statistics.DetractorShare);
        yield return NumberText.Nps(statistics);
        yield return NumberText.Interval(statistics);
    }

    // The overall row and groups without a comparison get blank difference cells.
    private static IEnumerable<string> DifferenceCells(NpsChange? difference)
    {
        if (difference is null)
        {
            return ["", "", ""];
        }

        return
        [
            NumberText.SignedOneDecimal(difference.Difference),
            NumberText.PValue(difference.PValue),
            NumberText.PValue(difference.AdjustedPValue),
        ];
    }

    private static string Note(NpsStatistics statistics, NpsChange? difference, double significanceLevel)
    {
        var notes = new List<string>();
        if (statistics.InsufficientSample)
        {
            notes.Add(NpsTable.InsufficientMarker);
        }

        // A group too small to trust is never called significant, whatever its p-value.
        if (!statistics.InsufficientSample && difference is not null && difference.AdjustedPValue < significanceLevel)
        {
            notes.Add(SignificantMarker);
        }

        return string.Join(", ", notes);
    }
}

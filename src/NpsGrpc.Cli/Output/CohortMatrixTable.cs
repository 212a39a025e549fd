using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>Renders a GetCohortMatrix response: one row per cohort, one column per period.</summary>
internal static class CohortMatrixTable
{
    /// <summary>
    /// Builds the table: the cohort label, its n, NPS and interval over the whole range, then "NPS (n)" per period,
    /// "-" for an empty period and a trailing * for a cell with an insufficient sample.
    /// </summary>
    public static Table Build(GetCohortMatrixResponse response)
    {
        var table = new Table();
        table.AddColumns(
            new TableColumn("cohort"),
            new TableColumn("n").RightAligned(),
            new TableColumn("NPS").RightAligned(),
            new TableColumn("interval").RightAligned());
        var periods = response.Cohorts.FirstOrDefault()?.Points.Select(p => p.Label).ToList() ?? [];
        foreach (string period in periods)
        {
            table.AddColumn(new TableColumn(period).RightAligned());
        }

        foreach (var cohort in response.Cohorts)
        {
            var cells = new List<string>
            {
                cohort.Label,
                NumberText.Integer(cohort.Overall.ResponseCount),
                Marked(NumberText.Nps(cohort.Overall), cohort.Overall),
                NumberText.Interval(cohort.Overall),
            };
            cells.AddRange(cohort.Points.Select(p => Cell(p.Statistics)));
            table.AddRow(cells.Select(cell => TerminalText.Cell(cell)));
        }

        return table;
    }

    /// <summary>Returns the lines that report responses left out for a missing or invalid date, if any.</summary>
    public static IEnumerable<string> LeftOutLines(GetCohortMatrixResponse response)
    {
        if (response.MissingDateCount > 0)
        {
            yield return $"Left out {NumberText.Integer(response.MissingDateCount)} responses without a date.";
        }

        if (response.InvalidDateCount > 0)
        {
            string examples = string.Join(", ", response.InvalidDateExamples.Select(v => $"'{v}'"));
            yield return $"Left out {NumberText.Integer(response.InvalidDateCount)} responses with an invalid date, " +
                         $"such as {examples}.";
        }
    }

    private static string Cell(NpsStatistics statistics) =>
        statistics.ResponseCount == 0
            ? "-"
            : Marked($"{NumberText.Nps(statistics)} ({NumberText.Integer(statistics.ResponseCount)})", statistics);

    private static string Marked(string text, NpsStatistics statistics) => statistics.InsufficientSample ? text + "*" : text;
}

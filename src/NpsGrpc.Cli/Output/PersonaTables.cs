using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>Renders the responses of 'nps personas': one table per category, or the table of combinations.</summary>
internal static class PersonaTables
{
    /// <summary>Writes the overall line, then the promoter and detractor profiles.</summary>
    public static void WriteProfiles(IAnsiConsole console, GetPersonasResponse response)
    {
        console.WriteLine(Overall(response.Overall));
        WriteProfile(console, "Promoters", response.Promoters);
        WriteProfile(console, "Detractors", response.Detractors);
    }

    /// <summary>Writes the overall line and the ranked combinations.</summary>
    public static void WriteCombinations(IAnsiConsole console, FindPersonaCombinationsResponse response)
    {
        string category = response.Category == NpsCategory.Detractor ? "detractor" : "promoter";
        console.WriteLine(Overall(response.Overall));
        console.WriteLine(
            $"{response.EvaluatedCount} combinations with enough responses; {response.BelowSupportCount} left out " +
            "under --min-support.");
        var table = new Table();
        table.AddColumns(
            new TableColumn("combination"),
            new TableColumn("n").RightAligned(),
            new TableColumn($"{category}s").RightAligned(),
            new TableColumn($"{category} rate").RightAligned(),
            new TableColumn("lift").RightAligned(),
            new TableColumn("NPS").RightAligned(),
            new TableColumn("p-value").RightAligned(),
            new TableColumn("adj. p-value").RightAligned());
        foreach (var combination in response.Combinations)
        {
            string values = string.Join(" & ", combination.Values.Select(Label));
            table.AddRow(new[]
            {
                values,
                NumberText.Integer(combination.ResponseCount),
                NumberText.Integer(combination.CategoryCount),
                NumberText.Percent(combination.CategoryRate),
                Ratio(combination.Lift),
                NumberText.OneDecimal(combination.Nps),
                combination.HasPValue ? NumberText.PValue(combination.PValue) : "-",
                combination.HasAdjustedPValue ? NumberText.PValue(combination.AdjustedPValue) : "-",
            }.Select(cell => TerminalText.Cell(cell)));
        }

        console.Write(table);
    }

    private static void WriteProfile(IAnsiConsole console, string title, PersonaProfile profile)
    {
        console.WriteLine();
        console.WriteLine($"{title}: {NumberText.Integer(profile.CategoryCount)}");
        if (profile.InsufficientSample)
        {
            console.WriteLine(profile.Note);
            return;
        }

        var table = new Table();
        table.AddColumns(
            new TableColumn("attribute"),
            new TableColumn("value"),
            new TableColumn("n").RightAligned(),
            new TableColumn("share in category").RightAligned(),
            new TableColumn("share overall").RightAligned(),
            new TableColumn("lift").RightAligned(),
            new TableColumn("NPS").RightAligned(),
            new TableColumn("p-value").RightAligned(),
            new TableColumn("adj. p-value").RightAligned());
        foreach (var value in profile.Values)
        {
            string scope = value.Attribute.Scope == AttributeScope.Customer ? " (customer)" : "";
            table.AddRow(new[]
            {
                value.Attribute.Key + scope,
                value.Attribute.Value,
                NumberText.Integer(value.ResponseCount),
                NumberText.Percent(value.CategoryShare),
                NumberText.Percent(value.OverallShare),
                Ratio(value.Lift),
                NumberText.OneDecimal(value.Nps),
                value.HasPValue ? NumberText.PValue(value.PValue) : "-",
                value.HasAdjustedPValue ? NumberText.PValue(value.AdjustedPValue) : "-",
            }.Select(cell => TerminalText.Cell(cell)));
        }

        console.Write(table);
        if (profile.BelowSupportCount > 0)
        {
            console.WriteLine($"{profile.BelowSupportCount} values left out under --min-support.");
        }
    }

    private static string Overall(NpsStatistics overall) =>
        $"Responses: {NumberText.Integer(overall.ResponseCount)}, NPS {NumberText.Nps(overall)}";

    private static string Label(AttributeValue value) =>
        (value.Scope == AttributeScope.Customer ? "customer " : "") + $"{value.Key}={value.Value}";

    private static string Ratio(double value) => value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}

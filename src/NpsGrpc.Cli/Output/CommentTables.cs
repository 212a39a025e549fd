using System.Globalization;
using NpsGrpc.V1;
using Spectre.Console;

namespace NpsGrpc.Cli.Output;

/// <summary>Renders the responses of 'nps themes' and 'nps comments search'.</summary>
internal static class CommentTables
{
    /// <summary>Writes the comment counts, then the promoter and detractor terms.</summary>
    public static void WriteThemes(IAnsiConsole console, GetCommentThemesResponse response)
    {
        console.WriteLine(
            $"Comments: {NumberText.Integer(response.PromoterCommentCount)} from promoters, " +
            $"{NumberText.Integer(response.DetractorCommentCount)} from detractors");
        WriteThemeTable(console, "Promoter themes", response.PromoterThemes);
        WriteThemeTable(console, "Detractor themes", response.DetractorThemes);
    }

    /// <summary>Writes one row per match, then the token of the next page when there is one.</summary>
    public static void WriteMatches(IAnsiConsole console, SearchCommentsResponse response)
    {
        var table = new Table();
        table.AddColumns(
            new TableColumn("responded at (UTC)"),
            new TableColumn("score").RightAligned(),
            new TableColumn("response"),
            new TableColumn("customer"),
            new TableColumn("snippet"));
        foreach (var match in response.Matches)
        {
            table.AddRow(new[]
            {
                match.RespondedAt.ToDateTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                NumberText.Integer(match.Score),
                match.SurveyId + "/" + match.ResponseId,
                match.CustomerId,
                match.Snippet.ReplaceLineEndings(" "),
            }.Select(cell => TerminalText.Cell(cell)));
        }

        console.Write(table);
        console.WriteLine($"{response.Matches.Count} matches on this page.");
        if (response.NextPageToken.Length > 0)
        {
            console.WriteLine($"Next page: --page-token {response.NextPageToken}");
        }
    }

    private static void WriteThemeTable(IAnsiConsole console, string title, IEnumerable<CommentTheme> themes)
    {
        console.WriteLine();
        console.WriteLine(title);
        var table = new Table();
        table.AddColumns(
            new TableColumn("term"),
            new TableColumn("promoters").RightAligned(),
            new TableColumn("detractors").RightAligned(),
            new TableColumn("log-odds").RightAligned(),
            new TableColumn("z").RightAligned());
        foreach (var theme in themes)
        {
            table.AddRow(new[]
            {
                theme.Term,
                NumberText.Integer(theme.PromoterCount),
                NumberText.Integer(theme.DetractorCount),
                theme.LogOddsRatio.ToString("0.00", CultureInfo.InvariantCulture),
                theme.ZScore.ToString("0.00", CultureInfo.InvariantCulture),
            }.Select(cell => TerminalText.Cell(cell)));
        }

        console.Write(table);
    }
}

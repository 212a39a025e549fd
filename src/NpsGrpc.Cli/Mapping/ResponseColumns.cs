using NpsGrpc.Cli.Csv;

namespace NpsGrpc.Cli.Mapping;

/// <summary>A <see cref="ResponseMapping"/> resolved against a CSV header: column names replaced by indexes.</summary>
internal sealed record ResponseColumns
{
    /// <summary>The mapping this was resolved from.</summary>
    public required ResponseMapping Mapping { get; init; }

    /// <summary>Index of the response id column, or -1.</summary>
    public int ResponseId { get; init; } = -1;

    /// <summary>Index of the customer id column, or -1 when the id is derived from the row.</summary>
    public int CustomerId { get; init; } = -1;

    /// <summary>Index of the score column.</summary>
    public int Score { get; init; }

    /// <summary>Index of the timestamp column, or -1.</summary>
    public int Timestamp { get; init; } = -1;

    /// <summary>Index of the comment column, or -1.</summary>
    public int Comment { get; init; } = -1;

    /// <summary>Attribute keys and their column indexes, in the order given.</summary>
    public IReadOnlyList<(string Key, int Column)> Attributes { get; init; } = [];

    /// <summary>
    /// Resolves every column of <paramref name="mapping"/> with <paramref name="resolve"/>, which returns the index
    /// of a header name and throws <see cref="UsageException"/> for a name that is not in the header.
    /// </summary>
    public static ResponseColumns Resolve(ResponseMapping mapping, Func<string, string, int> resolve) => new()
    {
        Mapping = mapping,
        ResponseId = Optional(mapping.ResponseIdColumn, "--response-id", resolve),
        CustomerId = Optional(mapping.CustomerIdColumn, "--customer-id", resolve),
        Score = resolve(mapping.ScoreColumn, "--score"),
        Timestamp = Optional(mapping.TimestampColumn, "--timestamp", resolve),
        Comment = Optional(mapping.CommentColumn, "--comment", resolve),
        Attributes = mapping.Attributes
            .Select(attribute => (attribute.Key, resolve(attribute.Column, $"--attribute {attribute.Key}=")))
            .ToArray(),
    };

    /// <summary>
    /// Resolves the columns of <paramref name="mapping"/> against the header of <paramref name="file"/>.
    /// </summary>
    public static ResponseColumns Resolve(ResponseMapping mapping, CsvFile file) =>
        Resolve(mapping, file.ResolveColumn);

    private static int Optional(string? column, string optionName, Func<string, string, int> resolve) =>
        column is null ? -1 : resolve(column, optionName);
}

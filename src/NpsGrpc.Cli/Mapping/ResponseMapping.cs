namespace NpsGrpc.Cli.Mapping;

/// <summary>How the columns of a CSV file become survey responses, as given on the command line.</summary>
internal sealed record ResponseMapping
{
    /// <summary>Column of the response id, or null to derive a stable id from the row's content.</summary>
    public string? ResponseIdColumn { get; init; }

    /// <summary>Column of the customer id, or null when <see cref="CustomerIdFromRow"/> is set.</summary>
    public string? CustomerIdColumn { get; init; }

    /// <summary>
    /// Whether the customer id is a hash of all cells of the record, for files without a customer column.
    /// </summary>
    public bool CustomerIdFromRow { get; init; }

    /// <summary>Column of the 0-10 score.</summary>
    public required string ScoreColumn { get; init; }

    /// <summary>Column of the response time, or null when <see cref="RespondedAt"/> is set.</summary>
    public string? TimestampColumn { get; init; }

    /// <summary>Parser of the timestamp column.</summary>
    public InstantParser TimestampParser { get; init; } = new(null, TimeZoneInfo.Utc);

    /// <summary>One response time (UTC) for every row, for files without a timestamp column.</summary>
    public DateTime? RespondedAt { get; init; }

    /// <summary>Column of the open comment, or null for none.</summary>
    public string? CommentColumn { get; init; }

    /// <summary>Response attributes and their columns.</summary>
    public IReadOnlyList<AttributeMapping> Attributes { get; init; } = [];

    /// <summary>Whether rows identical in every mapped column are one response rather than several.</summary>
    public bool DedupeIdenticalRows { get; init; }
}

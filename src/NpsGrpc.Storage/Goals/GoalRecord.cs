namespace NpsGrpc.Storage.Goals;

/// <summary>A row of <c>nps_goals</c>.</summary>
public sealed record GoalRecord
{
    /// <summary>Goal id.</summary>
    public string GoalId { get; init; } = "";

    /// <summary>Survey whose responses count.</summary>
    public string SurveyId { get; init; } = "";

    /// <summary>The goal as the API defines it, serialized by the server; storage does not read it.</summary>
    public byte[] Definition { get; init; } = [];

    /// <summary>When the goal was created.</summary>
    public DateTime CreateTime { get; init; }
}

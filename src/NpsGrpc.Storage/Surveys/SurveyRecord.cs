namespace NpsGrpc.Storage.Surveys;

/// <summary>A stored survey.</summary>
public sealed record SurveyRecord(string SurveyId, string DisplayName, string Description, DateTime CreateTime);

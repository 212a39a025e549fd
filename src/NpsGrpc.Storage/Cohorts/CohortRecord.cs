namespace NpsGrpc.Storage.Cohorts;

/// <summary>A stored named cohort.</summary>
/// <param name="Name">The cohort name, its key.</param>
/// <param name="Description">Free text, empty when not given.</param>
/// <param name="Conditions">JSON array of nps.v1.AttributeCondition messages in protobuf JSON form.</param>
/// <param name="CreateTime">When the cohort was created, in UTC.</param>
public sealed record CohortRecord(string Name, string Description, string Conditions, DateTime CreateTime);

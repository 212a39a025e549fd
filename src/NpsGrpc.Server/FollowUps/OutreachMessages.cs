using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Storage.FollowUps;
using NpsGrpc.V1;

namespace NpsGrpc.Server.FollowUps;

/// <summary>Converts between stored outreach items and their API messages and enums.</summary>
public static class OutreachMessages
{
    /// <summary>The stored word of a follow-up status, or null for UNSPECIFIED and unknown values.</summary>
    public static string? StatusText(FollowUpStatus status) => status switch
    {
        FollowUpStatus.Open => "open",
        FollowUpStatus.Contacted => "contacted",
        FollowUpStatus.Resolved => "resolved",
        FollowUpStatus.Dismissed => "dismissed",
        _ => null,
    };

    /// <summary>The stored word of an advocate status, or null for UNSPECIFIED and unknown values.</summary>
    public static string? StatusText(AdvocateStatus status) => status switch
    {
        AdvocateStatus.Candidate => "candidate",
        AdvocateStatus.Requested => "requested",
        AdvocateStatus.Agreed => "agreed",
        AdvocateStatus.Declined => "declined",
        AdvocateStatus.Done => "done",
        _ => null,
    };

    /// <summary>The stored word of a follow-up reason, or null for other values.</summary>
    public static string? FollowUpReasonText(OutreachReason reason) => reason switch
    {
        OutreachReason.Detractor => "detractor",
        OutreachReason.ScoreDrop => "score_drop",
        _ => null,
    };

    /// <summary>Builds the API message of a follow-up item.</summary>
    public static FollowUpItem ToFollowUp(OutreachItemRecord record) => new()
    {
        ItemId = record.ItemId,
        Reason = record.Reason == "score_drop" ? OutreachReason.ScoreDrop : OutreachReason.Detractor,
        Response = ToResponse(record),
        Status = record.Status switch
        {
            "contacted" => FollowUpStatus.Contacted,
            "resolved" => FollowUpStatus.Resolved,
            "dismissed" => FollowUpStatus.Dismissed,
            _ => FollowUpStatus.Open,
        },
        Owner = record.Owner,
        Note = record.Note,
        Version = record.Version,
        CreateTime = Stamp(record.CreateTime),
        UpdateTime = Stamp(record.UpdateTime),
        StatusTime = Stamp(record.StatusTime),
    };

    /// <summary>Builds the API message of an advocacy candidate.</summary>
    public static AdvocateItem ToAdvocate(OutreachItemRecord record) => new()
    {
        ItemId = record.ItemId,
        Response = ToResponse(record),
        Status = record.Status switch
        {
            "requested" => AdvocateStatus.Requested,
            "agreed" => AdvocateStatus.Agreed,
            "declined" => AdvocateStatus.Declined,
            "done" => AdvocateStatus.Done,
            _ => AdvocateStatus.Candidate,
        },
        Owner = record.Owner,
        Note = record.Note,
        Version = record.Version,
        CreateTime = Stamp(record.CreateTime),
        UpdateTime = Stamp(record.UpdateTime),
        StatusTime = Stamp(record.StatusTime),
    };

    private static OutreachResponse ToResponse(OutreachItemRecord record)
    {
        var response = new OutreachResponse
        {
            SurveyId = record.SurveyId,
            ResponseId = record.ResponseId,
            CustomerId = record.CustomerId,
            Score = record.Score,
            RespondedAt = Stamp(record.RespondedAt),
            Comment = record.Comment ?? "",
        };
        if (record.PreviousScore is { } previous)
        {
            response.PreviousScore = previous;
        }

        return response;
    }

    private static Timestamp Stamp(DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}

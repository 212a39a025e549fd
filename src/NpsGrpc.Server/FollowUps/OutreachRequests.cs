using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Server.Services;
using NpsGrpc.Storage.FollowUps;

namespace NpsGrpc.Server.FollowUps;

/// <summary>Validates the fields that the follow-up and advocacy requests share.</summary>
public static class OutreachRequests
{
    /// <summary>Number of items a list returns when page_size is 0.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Largest page; larger page sizes are lowered to it.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Longest owner, in characters.</summary>
    public const int MaxOwnerLength = 200;

    /// <summary>Longest note, in characters.</summary>
    public const int MaxNoteLength = 4000;

    /// <summary>Checks the filter and returns it as stored values, with the given statuses and reasons.</summary>
    public static OutreachFilter ParseFilter(V1.OutreachFilter? filter, IReadOnlyList<string> statuses, IReadOnlyList<string> reasons)
    {
        filter ??= new V1.OutreachFilter();
        string? surveyId = null;
        if (filter.SurveyId.Length > 0)
        {
            if (!Identifiers.IsSurveyId(filter.SurveyId))
            {
                throw RpcErrors.InvalidArgument("filter.survey_id", SurveyDirectory.InvalidSurveyIdMessage(filter.SurveyId));
            }

            surveyId = filter.SurveyId;
        }

        string? owner = null;
        if (filter.HasOwner)
        {
            CheckText(filter.Owner, "filter.owner", MaxOwnerLength);
            owner = filter.Owner;
        }

        DateTime? from = ToInstant(filter.RespondedAfter, "filter.responded_after");
        DateTime? to = ToInstant(filter.RespondedBefore, "filter.responded_before");
        if (from is { } start && to is { } end && start >= end)
        {
            throw RpcErrors.InvalidArgument(
                "filter.responded_before",
                $"filter.responded_before {end:O} is not after filter.responded_after {start:O}; the range would be empty");
        }

        return new OutreachFilter(surveyId, statuses, owner, reasons, from, to);
    }

    /// <summary>Checks page_size and returns the page size to use.</summary>
    public static int PageSize(int requested)
    {
        if (requested < 0)
        {
            throw RpcErrors.InvalidArgument(
                "page_size", $"page_size {requested} is negative; use 0 for the default of {DefaultPageSize}");
        }

        return requested == 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }

    /// <summary>Decodes page_token into the id after which the page starts (0 for the first page).</summary>
    public static long AfterItemId(string pageToken)
    {
        string? key = PageToken.Decode(pageToken);
        if (key is null)
        {
            return 0;
        }

        return long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long id)
            ? id
            : throw RpcErrors.InvalidArgument(
                "page_token", "page_token is not a token returned by this list; pass next_page_token unchanged");
    }

    /// <summary>Checks the id and version of an update request.</summary>
    public static void CheckUpdateTarget(long itemId, long version)
    {
        if (itemId <= 0)
        {
            throw RpcErrors.InvalidArgument("item_id", $"item_id {itemId} is not an item id; ids are positive");
        }

        if (version <= 0)
        {
            throw RpcErrors.InvalidArgument(
                "version", $"version {version} is missing or invalid; pass the version of the item as last read");
        }
    }

    /// <summary>Checks a filter text against its maximum length.</summary>
    public static void CheckText(string text, string field, int maxLength)
    {
        if (Identifiers.CheckText(text, maxLength) is { } problem)
        {
            throw RpcErrors.InvalidArgument(field, $"{field} {problem}");
        }
    }

    private static DateTime? ToInstant(Timestamp? timestamp, string field)
    {
        if (timestamp is null)
        {
            return null;
        }

        if (timestamp.Nanos is < 0 or > 999_999_999 || timestamp.Seconds < -62_135_596_800 || timestamp.Seconds > 253_402_300_799)
        {
            throw RpcErrors.InvalidArgument(field, $"{field} is not a valid timestamp; use an instant from year 1 to 9999");
        }

        return timestamp.ToDateTime();
    }
}

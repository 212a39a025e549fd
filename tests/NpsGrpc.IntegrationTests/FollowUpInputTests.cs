using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class FollowUpInputTests(ServerFixture fixture)
{
    public static TheoryData<string, ListFollowUpsRequest> BadListRequests() => new()
    {
        { "page_size", new ListFollowUpsRequest { PageSize = -1 } },
        { "page_token", new ListFollowUpsRequest { PageToken = "not-a-token" } },
        { "filter.survey_id", new ListFollowUpsRequest { Filter = new OutreachFilter { SurveyId = "Bad Id" } } },
        { "filter.owner", new ListFollowUpsRequest { Filter = new OutreachFilter { Owner = new string('o', 201) } } },
        { "statuses[1]", new ListFollowUpsRequest { Statuses = { FollowUpStatus.Open, FollowUpStatus.Unspecified } } },
        { "reasons[0]", new ListFollowUpsRequest { Reasons = { OutreachReason.PromoterComment } } },
        {
            "filter.responded_before", new ListFollowUpsRequest
            {
                Filter = new OutreachFilter
                {
                    RespondedAfter = Timestamp.FromDateTime(new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc)),
                    RespondedBefore = Timestamp.FromDateTime(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
                },
            }
        },
        { "filter.responded_after", new ListFollowUpsRequest { Filter = new OutreachFilter { RespondedAfter = new Timestamp { Nanos = -1 } } } },
    };

    [Theory]
    [MemberData(nameof(BadListRequests))]
    public async Task ListFollowUps_BadField_InvalidArgument(string field, ListFollowUpsRequest request)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await FollowUpKit.Client(fixture).ListFollowUpsAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    [Theory]
    [InlineData(OutreachReason.PromoterComment, "reasons[0] OUTREACH_REASON_PROMOTER_COMMENT is not a follow-up reason")]
    [InlineData((OutreachReason)99, "reasons[0] 99 is not a follow-up reason")]
    public async Task ListFollowUps_BadReason_NamedAsInProto(OutreachReason reason, string expected)
    {
        var request = new ListFollowUpsRequest { Reasons = { reason } };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await FollowUpKit.Client(fixture).ListFollowUpsAsync(request));

        Assert.StartsWith(expected, TestResponses.BadRequestOf(error)!.FieldViolations.Single().Description, StringComparison.Ordinal);
    }

    public static TheoryData<string, UpdateFollowUpRequest> BadUpdateRequests() => new()
    {
        { "item_id", new UpdateFollowUpRequest { ItemId = 0, Version = 1 } },
        { "version", new UpdateFollowUpRequest { ItemId = 1, Version = 0 } },
        { "status", new UpdateFollowUpRequest { ItemId = 1, Version = 1, Status = (FollowUpStatus)42 } },
        { "owner", new UpdateFollowUpRequest { ItemId = 1, Version = 1, Owner = new string('o', 201) } },
        { "note", new UpdateFollowUpRequest { ItemId = 1, Version = 1, Note = new string('n', 4001) } },
        { "note", new UpdateFollowUpRequest { ItemId = 1, Version = 1, Note = "nul\0" } },
    };

    [Theory]
    [MemberData(nameof(BadUpdateRequests))]
    public async Task UpdateFollowUp_BadField_InvalidArgument(string field, UpdateFollowUpRequest request)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await FollowUpKit.Client(fixture).UpdateFollowUpAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task ListAdvocates_BadStatus_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await FollowUpKit.Client(fixture).ListAdvocatesAsync(
            new ListAdvocatesRequest { Statuses = { AdvocateStatus.Unspecified } }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("statuses[0]", TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    [Theory]
    [InlineData("garbage", "", "cursor")]
    [InlineData("", "Bad Survey", "survey_id")]
    public async Task SubscribeFollowUps_BadField_InvalidArgument(string cursor, string surveyId, string field)
    {
        using var call = FollowUpKit.Client(fixture).SubscribeFollowUps(
            new SubscribeFollowUpsRequest { Cursor = cursor, SurveyId = surveyId });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }

    [Fact]
    public async Task SubscribeFollowUps_UnissuedCursor_InvalidArgument()
    {
        // A well-formed cursor that this database never handed out, as one kept from before a restore would be.
        string cursor = System.Buffers.Text.Base64Url.EncodeToString("f1:999999999:999999999"u8);
        using var call = FollowUpKit.Client(fixture).SubscribeFollowUps(new SubscribeFollowUpsRequest { Cursor = cursor });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("cursor", TestResponses.BadRequestOf(error)!.FieldViolations.Single().Field);
    }
}

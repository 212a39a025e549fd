using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Errors;
using NpsGrpc.Server.Ingest;
using NpsGrpc.Storage.Surveys;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC survey management.</summary>
public sealed class SurveyGrpcService(SurveyStore store) : SurveyService.SurveyServiceBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 1000;
    private const int MaxDisplayNameLength = 200;
    private const int MaxDescriptionLength = 2000;

    /// <inheritdoc />
    public override async Task<CreateSurveyResponse> CreateSurvey(CreateSurveyRequest request, ServerCallContext context)
    {
        var survey = request.Survey ?? throw RpcErrors.InvalidArgument("survey", "survey is required");
        string surveyId = survey.SurveyId.Length == 0 ? "s-" + Guid.CreateVersion7().ToString("N") : survey.SurveyId;
        if (!Identifiers.IsSurveyId(surveyId))
        {
            throw RpcErrors.InvalidArgument("survey.survey_id", SurveyDirectory.InvalidSurveyIdMessage(surveyId));
        }

        if (survey.DisplayName.Trim().Length == 0)
        {
            throw RpcErrors.InvalidArgument("survey.display_name", "survey.display_name is required");
        }

        if (Identifiers.CheckName(survey.DisplayName, MaxDisplayNameLength) is { } nameProblem)
        {
            throw RpcErrors.InvalidArgument("survey.display_name", $"survey.display_name {nameProblem}");
        }

        if (Identifiers.CheckDescription(survey.Description, MaxDescriptionLength) is { } descriptionProblem)
        {
            throw RpcErrors.InvalidArgument("survey.description", $"survey.description {descriptionProblem}");
        }

        var created = await store.CreateAsync(surveyId, survey.DisplayName, survey.Description, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.AlreadyExists, $"Survey '{surveyId}' already exists."));
        return new CreateSurveyResponse { Survey = ToMessage(created) };
    }

    /// <inheritdoc />
    public override async Task<GetSurveyResponse> GetSurvey(GetSurveyRequest request, ServerCallContext context)
    {
        if (!Identifiers.IsSurveyId(request.SurveyId))
        {
            throw RpcErrors.InvalidArgument("survey_id", SurveyDirectory.InvalidSurveyIdMessage(request.SurveyId));
        }

        var survey = await store.GetAsync(request.SurveyId, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"Survey '{request.SurveyId}' does not exist.");
        return new GetSurveyResponse { Survey = ToMessage(survey) };
    }

    /// <inheritdoc />
    public override async Task<ListSurveysResponse> ListSurveys(ListSurveysRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            throw RpcErrors.InvalidArgument("page_size", $"page_size {request.PageSize} is negative; use 0 for the default of {DefaultPageSize}");
        }

        int pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        string? after = PageToken.Decode(request.PageToken);

        // Reading one row more than the page size shows whether another page follows.
        var rows = await store.ListAsync(after, pageSize + 1, context.CancellationToken);
        var response = new ListSurveysResponse();
        response.Surveys.AddRange(rows.Take(pageSize).Select(ToMessage));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(rows[pageSize - 1].SurveyId);
        }

        return response;
    }

    private static Survey ToMessage(SurveyRecord record) => new()
    {
        SurveyId = record.SurveyId,
        DisplayName = record.DisplayName,
        Description = record.Description,
        CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(record.CreateTime, DateTimeKind.Utc)),
    };
}

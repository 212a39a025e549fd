using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NpsGrpc.Domain.Validation;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Cohorts;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Cohorts;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Services;

/// <summary>gRPC management of named cohorts, and the time-based cohort matrix.</summary>
public sealed class CohortGrpcService(CohortStore store, CohortMatrixQuery matrix) : CohortService.CohortServiceBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 1000;
    private const int MaxDescriptionLength = 2000;

    /// <inheritdoc />
    public override async Task<CreateCohortResponse> CreateCohort(CreateCohortRequest request, ServerCallContext context)
    {
        var cohort = request.Cohort ?? throw RpcErrors.InvalidArgument("cohort", "cohort is required");
        CheckName(cohort.Name, "cohort.name");
        if (Identifiers.CheckDescription(cohort.Description, MaxDescriptionLength) is { } problem)
        {
            throw RpcErrors.InvalidArgument("cohort.description", $"cohort.description {problem}");
        }

        if (cohort.Conditions.Count == 0)
        {
            throw RpcErrors.InvalidArgument(
                "cohort.conditions", $"cohort.conditions is required: 1 to {QueryRequestParser.MaxFilters} conditions");
        }

        // The same checks as a query's filters, so every stored cohort can be used in any query.
        QueryRequestParser.ReadFilters(cohort.Conditions, "cohort.conditions");

        var created = await store.CreateAsync(
                cohort.Name, cohort.Description, CohortConditions.Format(cohort.Conditions), context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.AlreadyExists, $"Cohort '{cohort.Name}' already exists."));
        return new CreateCohortResponse { Cohort = ToMessage(created) };
    }

    /// <inheritdoc />
    public override async Task<GetCohortResponse> GetCohort(GetCohortRequest request, ServerCallContext context)
    {
        CheckName(request.Name, "name");
        var cohort = await store.GetAsync(request.Name, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"Cohort '{request.Name}' does not exist.");
        return new GetCohortResponse { Cohort = ToMessage(cohort) };
    }

    /// <inheritdoc />
    public override async Task<ListCohortsResponse> ListCohorts(ListCohortsRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            throw RpcErrors.InvalidArgument(
                "page_size", $"page_size {request.PageSize} is negative; use 0 for the default of {DefaultPageSize}");
        }

        int pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        string? after = PageToken.Decode(request.PageToken);

        // Reading one row more than the page size shows whether another page follows.
        var rows = await store.ListAsync(after, pageSize + 1, context.CancellationToken);
        var response = new ListCohortsResponse();
        response.Cohorts.AddRange(rows.Take(pageSize).Select(ToMessage));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(rows[pageSize - 1].Name);
        }

        return response;
    }

    /// <inheritdoc />
    public override async Task<DeleteCohortResponse> DeleteCohort(DeleteCohortRequest request, ServerCallContext context)
    {
        CheckName(request.Name, "name");
        if (!await store.DeleteAsync(request.Name, context.CancellationToken))
        {
            throw RpcErrors.NotFound($"Cohort '{request.Name}' does not exist.");
        }

        return new DeleteCohortResponse();
    }

    /// <inheritdoc />
    public override Task<GetCohortMatrixResponse> GetCohortMatrix(GetCohortMatrixRequest request, ServerCallContext context) =>
        matrix.RunAsync(request, context.CancellationToken);

    private static void CheckName(string name, string field)
    {
        if (CohortName.Check(name, field) is { } problem)
        {
            throw RpcErrors.InvalidArgument(field, problem);
        }
    }

    private static Cohort ToMessage(CohortRecord record)
    {
        var cohort = new Cohort
        {
            Name = record.Name,
            Description = record.Description,
            CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(record.CreateTime, DateTimeKind.Utc)),
        };
        cohort.Conditions.AddRange(CohortConditions.Parse(record.Conditions));
        return cohort;
    }
}

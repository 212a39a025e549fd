using Google.Protobuf;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using NpsGrpc.V1;
using NpsGrpc.Storage.ApiKeys;

namespace NpsGrpc.Server.Auth;

/// <summary>
/// The scope every RPC of the nps.v1 services requires, and the surveys each request names, in one table.
/// docs/security.md shows the same table. Building it throws when an RPC of a listed service has no entry, so a new
/// RPC cannot be served without a decision about its scope.
/// </summary>
public sealed class RpcPolicies
{
    private static readonly AccessScope[] Ingest = [AccessScope.Ingest];
    private static readonly AccessScope[] Query = [AccessScope.Query];
    private static readonly AccessScope[] Export = [AccessScope.Export];
    private static readonly AccessScope[] Admin = [AccessScope.Admin];
    private static readonly AccessScope[] AdminOrIngest = [AccessScope.Admin, AccessScope.Ingest];
    private static readonly AccessScope[] AnyScope =
        [AccessScope.Ingest, AccessScope.Query, AccessScope.Export, AccessScope.Admin];

    private readonly Dictionary<string, RpcPolicy> _byMethod = new(StringComparer.Ordinal);

    /// <summary>Builds the table and checks that it covers every RPC of every nps.v1 service.</summary>
    public RpcPolicies()
    {
        // Every kind of client reads survey metadata. Creating a survey is set-up work, done by an operator or by an
        // ingest pipeline before it sends responses.
        Add<CreateSurveyRequest>(
            SurveyService.Descriptor, "CreateSurvey", AdminOrIngest, r => Named(r.Survey?.SurveyId));
        Add<GetSurveyRequest>(SurveyService.Descriptor, "GetSurvey", AnyScope, r => Named(r.SurveyId));
        Add<ListSurveysRequest>(SurveyService.Descriptor, "ListSurveys", AnyScope, _ => []);

        // Customers are shared by every survey, so UpsertCustomers names none.
        Add<StreamResponsesRequest>(IngestService.Descriptor, "StreamResponses", Ingest, r => Named(r.SurveyId));
        Add<IngestResponsesRequest>(IngestService.Descriptor, "IngestResponses", Ingest, r => Named(r.SurveyId));
        Add<UpsertCustomersRequest>(IngestService.Descriptor, "UpsertCustomers", Ingest, _ => []);

        Add<GetNpsRequest>(QueryService.Descriptor, "GetNps", Query, r => Named(r.SurveyId, r.SurveyIds));
        Add<GetNpsTrendRequest>(QueryService.Descriptor, "GetNpsTrend", Query, r => Named(r.SurveyId, r.SurveyIds));
        Add<CompareNpsRequest>(QueryService.Descriptor, "CompareNps", Query, r => Named(r.SurveyId, r.SurveyIds));

        // Cohorts are named filters that analysts define for their own queries; they hold no responses.
        Add<CreateCohortRequest>(CohortService.Descriptor, "CreateCohort", Query, _ => []);
        Add<GetCohortRequest>(CohortService.Descriptor, "GetCohort", Query, _ => []);
        Add<ListCohortsRequest>(CohortService.Descriptor, "ListCohorts", Query, _ => []);
        Add<DeleteCohortRequest>(CohortService.Descriptor, "DeleteCohort", Query, _ => []);
        Add<GetCohortMatrixRequest>(
            CohortService.Descriptor, "GetCohortMatrix", Query, r => Named(r.SurveyId, r.SurveyIds));

        Add<GetPersonasRequest>(InsightService.Descriptor, "GetPersonas", Query, r => Named(r.SurveyId, r.SurveyIds));
        Add<FindPersonaCombinationsRequest>(
            InsightService.Descriptor, "FindPersonaCombinations", Query, r => Named(r.SurveyId, r.SurveyIds));
        Add<GetCommentThemesRequest>(
            InsightService.Descriptor, "GetCommentThemes", Query, r => Named(r.SurveyId, r.SurveyIds));
        Add<SearchCommentsRequest>(
            InsightService.Descriptor, "SearchComments", Query, r => Named(r.SurveyId, r.SurveyIds));

        // Export targets are selected by target id, except on creation, where the target lists its surveys (none
        // listed means every survey).
        Add<CreateExportTargetRequest>(
            ExportService.Descriptor, "CreateExportTarget", Export, r => Named(null, r.Target?.SurveyIds));
        Add<GetExportTargetRequest>(ExportService.Descriptor, "GetExportTarget", Export, _ => []);
        Add<ListExportTargetsRequest>(ExportService.Descriptor, "ListExportTargets", Export, _ => []);
        Add<UpdateExportTargetRequest>(ExportService.Descriptor, "UpdateExportTarget", Export, _ => []);
        Add<DeleteExportTargetRequest>(ExportService.Descriptor, "DeleteExportTarget", Export, _ => []);
        Add<PauseExportTargetRequest>(ExportService.Descriptor, "PauseExportTarget", Export, _ => []);
        Add<ResumeExportTargetRequest>(ExportService.Descriptor, "ResumeExportTarget", Export, _ => []);
        Add<RunExportRequest>(ExportService.Descriptor, "RunExport", Export, _ => []);
        Add<GetExportRunRequest>(ExportService.Descriptor, "GetExportRun", Export, _ => []);
        Add<ListExportRunsRequest>(ExportService.Descriptor, "ListExportRuns", Export, _ => []);

        // The people who work through follow-ups read the same responses as the query scope, and an update changes
        // only workflow fields (status, owner, note), never a response or a figure. Updates select an item by id.
        Add<ListFollowUpsRequest>(FollowUpService.Descriptor, "ListFollowUps", Query, r => Named(r.Filter?.SurveyId));
        Add<UpdateFollowUpRequest>(FollowUpService.Descriptor, "UpdateFollowUp", Query, _ => []);
        Add<SubscribeFollowUpsRequest>(FollowUpService.Descriptor, "SubscribeFollowUps", Query, r => Named(r.SurveyId));
        Add<ListAdvocatesRequest>(FollowUpService.Descriptor, "ListAdvocates", Query, r => Named(r.Filter?.SurveyId));
        Add<UpdateAdvocateRequest>(FollowUpService.Descriptor, "UpdateAdvocate", Query, _ => []);

        // Goals are targets analysts set and read next to their queries. Get, delete and progress select a goal by id.
        Add<CreateGoalRequest>(GoalService.Descriptor, "CreateGoal", Query, r => Named(r.Goal?.SurveyId));
        Add<GetGoalRequest>(GoalService.Descriptor, "GetGoal", Query, _ => []);
        Add<ListGoalsRequest>(GoalService.Descriptor, "ListGoals", Query, r => Named(r.SurveyId));
        Add<DeleteGoalRequest>(GoalService.Descriptor, "DeleteGoal", Query, _ => []);
        Add<GetGoalProgressRequest>(GoalService.Descriptor, "GetGoalProgress", Query, _ => []);

        Add<CreateApiKeyRequest>(ApiKeyService.Descriptor, "CreateApiKey", Admin, _ => []);
        Add<GetApiKeyRequest>(ApiKeyService.Descriptor, "GetApiKey", Admin, _ => []);
        Add<ListApiKeysRequest>(ApiKeyService.Descriptor, "ListApiKeys", Admin, _ => []);
        Add<RevokeApiKeyRequest>(ApiKeyService.Descriptor, "RevokeApiKey", Admin, _ => []);

        CheckComplete();
    }

    /// <summary>The services whose every RPC must have an entry.</summary>
    public static IReadOnlyList<ServiceDescriptor> Services { get; } =
    [
        SurveyService.Descriptor, IngestService.Descriptor, QueryService.Descriptor, CohortService.Descriptor,
        InsightService.Descriptor, ExportService.Descriptor, FollowUpService.Descriptor, GoalService.Descriptor,
        ApiKeyService.Descriptor,
    ];

    /// <summary>Every entry.</summary>
    public IReadOnlyCollection<RpcPolicy> All => _byMethod.Values;

    /// <summary>Returns the entry for a full method name such as /nps.v1.QueryService/GetNps, or null.</summary>
    public RpcPolicy? Find(string method) => _byMethod.GetValueOrDefault(method);

    private void Add<TRequest>(
        ServiceDescriptor service,
        string methodName,
        AccessScope[] scopes,
        Func<TRequest, IReadOnlyList<string>> namedSurveys)
        where TRequest : IMessage
    {
        var method = service.FindMethodByName(methodName)
            ?? throw new InvalidOperationException($"{service.FullName} has no RPC {methodName}.");
        if (method.InputType.ClrType != typeof(TRequest))
        {
            throw new InvalidOperationException($"{service.FullName}.{methodName} does not take {typeof(TRequest).Name}.");
        }

        string path = $"/{service.FullName}/{methodName}";
        _byMethod.Add(path, new RpcPolicy(path, scopes, message => namedSurveys((TRequest)message)));
    }

    private void CheckComplete()
    {
        var missing = Services
            .SelectMany(s => s.Methods.Select(m => $"/{s.FullName}/{m.Name}"))
            .Where(path => !_byMethod.ContainsKey(path))
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"No scope is defined for {string.Join(", ", missing)}.");
        }
    }

    private static List<string> Named(string? surveyId, IEnumerable<string>? more = null)
    {
        var named = new List<string>();
        if (!string.IsNullOrEmpty(surveyId))
        {
            named.Add(surveyId);
        }

        named.AddRange((more ?? []).Where(id => id.Length > 0));
        return named;
    }
}

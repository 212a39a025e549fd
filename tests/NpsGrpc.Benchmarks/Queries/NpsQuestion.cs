using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Queries;

/// <summary>One timed question, asked the same way of every server instance and of DuckDB.</summary>
/// <param name="Label">Short name, for example "NPS by region".</param>
/// <param name="AskServerAsync">Sends the request through a query client and reduces the response to counts.</param>
/// <param name="DuckDbSql">
/// The same question over the DuckDB copy. Its columns are the group values, then promoters, passives, detractors
/// and NPS. Each group column's name is the key of the group in the <see cref="CountTable"/>.
/// </param>
/// <param name="SumGroupsAsOverall">
/// True when the server's response has overall figures but the SQL returns groups only. The sum of the groups is then
/// the overall count, which is exact because every response has exactly one value of each grouping attribute.
/// </param>
public sealed record NpsQuestion(
    string Label,
    Func<QueryService.QueryServiceClient, CancellationToken, Task<CountTable>> AskServerAsync,
    string DuckDbSql,
    bool SumGroupsAsOverall);

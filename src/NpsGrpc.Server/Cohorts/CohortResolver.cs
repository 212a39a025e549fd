using Google.Protobuf.Collections;
using NpsGrpc.Server.Analytics;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.Cohorts;
using NpsGrpc.Storage.Queries;

namespace NpsGrpc.Server.Cohorts;

/// <summary>A named cohort resolved to the filters of its stored conditions.</summary>
public sealed record ResolvedCohort(string Name, IReadOnlyList<AttributeFilter> Filters);

/// <summary>
/// Replaces the cohort names of a query with their stored conditions, so the query runs through the usual count
/// path (and the rollups, where the conditions allow). Throws INVALID_ARGUMENT for malformed or repeated names and
/// NOT_FOUND, naming the field, for a cohort that does not exist.
/// </summary>
public sealed class CohortResolver(CohortStore store)
{
    /// <summary>Maximum cohort names in one field of a query.</summary>
    public const int MaxCohortsPerField = 20;

    /// <summary>Resolves the names of <paramref name="field"/>, in order.</summary>
    public async Task<IReadOnlyList<ResolvedCohort>> ResolveAsync(
        RepeatedField<string> names, string field, CancellationToken cancellationToken)
    {
        CheckNames(names, field);
        if (names.Count == 0)
        {
            return [];
        }

        var stored = (await store.GetManyAsync(names, cancellationToken)).ToDictionary(c => c.Name, StringComparer.Ordinal);
        var cohorts = new List<ResolvedCohort>(names.Count);
        for (int i = 0; i < names.Count; i++)
        {
            if (!stored.TryGetValue(names[i], out var record))
            {
                throw RpcErrors.NotFound(
                    $"{field}[{i}]: cohort '{names[i]}' does not exist. List the cohorts with CohortService.ListCohorts " +
                    "(from the command line: nps cohorts list).");
            }

            var filters = QueryRequestParser.ReadFilters(CohortConditions.Parse(record.Conditions), $"{field}[{i}].conditions");
            cohorts.Add(new ResolvedCohort(record.Name, filters));
        }

        return cohorts;
    }

    /// <summary>Returns <paramref name="filters"/> followed by the conditions of every cohort of <paramref name="field"/>.</summary>
    public async Task<IReadOnlyList<AttributeFilter>> AddFiltersAsync(
        IReadOnlyList<AttributeFilter> filters, RepeatedField<string> names, string field, CancellationToken cancellationToken)
    {
        var cohorts = await ResolveAsync(names, field, cancellationToken);
        return [.. filters, .. cohorts.SelectMany(c => c.Filters)];
    }

    /// <summary>Checks the count, the form and the uniqueness of the names without reading the database.</summary>
    public static void CheckNames(RepeatedField<string> names, string field)
    {
        if (names.Count > MaxCohortsPerField)
        {
            throw RpcErrors.InvalidArgument(field, $"{field} names {names.Count} cohorts; the maximum is {MaxCohortsPerField}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            if (CohortName.Check(names[i], $"{field}[{i}]") is { } problem)
            {
                throw RpcErrors.InvalidArgument($"{field}[{i}]", problem);
            }

            if (!seen.Add(names[i]))
            {
                throw RpcErrors.InvalidArgument($"{field}[{i}]", $"{field}[{i}] repeats cohort '{names[i]}'; name each cohort once");
            }
        }
    }
}

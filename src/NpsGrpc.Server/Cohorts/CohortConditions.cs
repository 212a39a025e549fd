using System.Text.Json;
using Google.Protobuf;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Cohorts;

/// <summary>Converts a cohort's conditions to and from the JSON array stored in the cohorts table.</summary>
public static class CohortConditions
{
    /// <summary>Formats the conditions as a JSON array of protobuf JSON objects.</summary>
    public static string Format(IEnumerable<AttributeCondition> conditions) =>
        "[" + string.Join(",", conditions.Select(c => JsonFormatter.Default.Format(c))) + "]";

    /// <summary>Parses a JSON array written by <see cref="Format"/>.</summary>
    public static List<AttributeCondition> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Select(element => JsonParser.Default.Parse<AttributeCondition>(element.GetRawText()))
            .ToList();
    }
}

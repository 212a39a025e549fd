using NpsGrpc.Domain.Scoring;
using NpsGrpc.Storage.Queries;

namespace NpsGrpc.Storage.Insights;

/// <summary>Category counts of the responses that hold one attribute value.</summary>
/// <param name="Source">Where the attribute is read from.</param>
/// <param name="Key">Attribute key.</param>
/// <param name="Value">Attribute value.</param>
/// <param name="Counts">Promoters, passives and detractors among the responses with the value.</param>
public sealed record AttributeValueCount(AttributeSource Source, string Key, string Value, NpsCounts Counts);

/// <summary>Category counts of a selection of responses, overall and per attribute value.</summary>
/// <param name="Overall">Counts over every selected response, each counted once.</param>
/// <param name="Values">Counts per attribute value; a response counts once in each value it holds.</param>
public sealed record AttributeValueCounts(NpsCounts Overall, IReadOnlyList<AttributeValueCount> Values);

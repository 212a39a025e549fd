using NpsGrpc.Domain.Insights;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Storage.Queries;
using NpsGrpc.V1;

namespace NpsGrpc.Server.Insights;

/// <summary>Converts domain and storage values of the insight queries to API messages.</summary>
public static class InsightMessages
{
    /// <summary>Converts a category.</summary>
    public static NpsCategory ToMessage(ScoreCategory category) => category switch
    {
        ScoreCategory.Promoter => NpsCategory.Promoter,
        ScoreCategory.Passive => NpsCategory.Passive,
        _ => NpsCategory.Detractor,
    };

    /// <summary>Converts a test method.</summary>
    public static SignificanceTest ToMessage(ProportionTestMethod method) => method == ProportionTestMethod.FisherExact
        ? SignificanceTest.FisherExact
        : SignificanceTest.TwoProportionZ;

    /// <summary>Builds an attribute value.</summary>
    public static AttributeValue ToMessage(AttributeSource source, string key, string value) => new()
    {
        Key = key,
        Scope = source == AttributeSource.Customer ? AttributeScope.Customer : AttributeScope.Response,
        Value = value,
    };
}

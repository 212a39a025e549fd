namespace NpsGrpc.Domain.Validation;

/// <summary>Bounds that every ingested item and batch must keep. Bound from the "Ingest" configuration section.</summary>
public sealed record IngestLimits
{
    /// <summary>Maximum items (responses or customers) per batch. Default 5000.</summary>
    public int MaxBatchSize { get; init; } = 5000;

    /// <summary>Maximum length of a response, customer or batch id, in characters (Unicode code points). Default 128.</summary>
    public int MaxIdLength { get; init; } = 128;

    /// <summary>Maximum comment length, in characters (Unicode code points). Default 8000.</summary>
    public int MaxCommentLength { get; init; } = 8000;

    /// <summary>Maximum attributes per response or customer. Default 32.</summary>
    public int MaxAttributes { get; init; } = 32;

    /// <summary>Maximum length of an attribute value, in characters (Unicode code points). Default 256.</summary>
    public int MaxAttributeValueLength { get; init; } = 256;

    /// <summary>Maximum values of one customer attribute. Default 64.</summary>
    public int MaxValuesPerCustomerAttribute { get; init; } = 64;

    /// <summary>How far in the future responded_at may be, to allow for client clock skew. Default 5 minutes.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Smallest allowed response weight. Default 0.000001: smaller weights would make squared weights underflow
    /// and carry no information at any realistic scale.
    /// </summary>
    public double MinWeight { get; init; } = 1e-6;

    /// <summary>Largest allowed response weight. Default 1,000,000.</summary>
    public double MaxWeight { get; init; } = 1_000_000;
}

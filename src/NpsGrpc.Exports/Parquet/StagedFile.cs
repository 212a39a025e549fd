namespace NpsGrpc.Exports.Parquet;

/// <summary>A completed file in a run's staging folder, with what its manifest entry needs.</summary>
/// <param name="Table">The table it belongs to.</param>
/// <param name="PartitionDate">Its partition, for partitioned tables.</param>
/// <param name="StagingPath">Where it was written.</param>
/// <param name="FinalPath">Where it is published.</param>
/// <param name="Rows">Rows written.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Sha256">Lowercase hexadecimal SHA-256 of the file.</param>
public sealed record StagedFile(
    string Table, DateOnly? PartitionDate, string StagingPath, string FinalPath, long Rows, long Bytes, string Sha256);

namespace NpsGrpc.Cli.Ingest;

/// <summary>
/// Derives response ids from row content for files without an id column. The id is the hash of the mapped field
/// values followed by the number of identical rows earlier in the file: "3f2a...-0" for the first occurrence,
/// "3f2a...-1" for the second. The same file therefore yields the same ids on every run, so ingesting it again
/// adds nothing, and repeated identical rows stay distinct responses. With deduplication every occurrence gets
/// the "-0" id, so identical rows are stored once and the repeats count as duplicates.
/// </summary>
internal sealed class StableResponseIds(bool dedupeIdenticalRows)
{
    /// <summary>
    /// Hex digits of the hash in an id: 128 bits, so that distinct contents do not collide in practice.
    /// </summary>
    public const int HashHexLength = 32;

    // Occurrences seen so far per content hash. NOTE: this grows with the number of distinct rows in the file,
    // by an estimated 120 bytes per row (a 32-character key and a dictionary entry).
    private readonly Dictionary<string, int> _occurrences = new(StringComparer.Ordinal);

    /// <summary>Returns the id of the next row, whose mapped values are <paramref name="content"/>.</summary>
    public string Next(IEnumerable<(string Name, string Value)> content)
    {
        string hash = ContentHash.Compute(content, HashHexLength);
        int earlier = 0;
        if (!dedupeIdenticalRows)
        {
            _occurrences.TryGetValue(hash, out earlier);
            _occurrences[hash] = earlier + 1;
        }

        return $"{hash}-{earlier}";
    }
}

namespace NpsGrpc.Domain.Insights;

/// <summary>
/// English stop words left out of comment themes: articles, pronouns, auxiliaries, prepositions and conjunctions,
/// lower-case, with the fragments that splitting contractions at the apostrophe leaves ("don't" gives "don" and
/// "t"). Only English is covered; other languages keep every word.
/// </summary>
public static class StopWords
{
    private static readonly HashSet<string> English = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "could", "d", "did", "do", "does", "doing", "don", "down", "during",
        "each", "even", "few", "for", "from", "further", "get", "got",
        "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
        "i", "if", "in", "into", "is", "isn", "it", "its", "itself", "just", "ll", "m", "me", "more", "most", "my",
        "myself", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own",
        "re", "s", "same", "she", "should", "so", "some", "such", "t", "than", "that", "the", "their", "theirs",
        "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
        "under", "until", "up", "us", "ve", "very", "was", "we", "were", "what", "when", "where", "which", "while",
        "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves",
    };

    /// <summary>Whether <paramref name="word"/>, already lower-cased, is a stop word.</summary>
    public static bool Contains(string word) => English.Contains(word);
}

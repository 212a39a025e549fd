using System.Text;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>
/// Generates comments of a fixed length from sentences of words drawn from a small vocabulary, so that Parquet's
/// Snappy compression gets text that repeats words but not whole comments, as survey comments do.
/// </summary>
public sealed class CommentText(int seed, int bytes)
{
    private static readonly string[] Words =
    [
        "the", "app", "support", "team", "was", "very", "slow", "fast", "helpful", "after", "before", "update",
        "release", "price", "pricing", "plan", "invoice", "billing", "export", "report", "reports", "dashboard",
        "login", "password", "mobile", "desktop", "browser", "setup", "onboarding", "documentation", "feature",
        "features", "missing", "works", "broken", "crashes", "sometimes", "always", "never", "again", "still",
        "we", "our", "my", "they", "it", "is", "are", "were", "had", "have", "need", "want", "would", "could",
        "like", "love", "hate", "prefer", "expected", "better", "worse", "easy", "hard", "confusing", "clear",
        "integration", "calendar", "email", "notifications", "search", "filter", "sync", "offline", "data",
        "customer", "service", "agent", "ticket", "reply", "week", "month", "year", "renewal", "contract",
        "upgrade", "downgrade", "trial", "account", "admin", "users", "seats", "permissions", "api", "webhook",
        "error", "timeout", "outage", "reliable", "stable", "quick", "simple", "powerful", "expensive", "cheap",
        "fair", "value", "money", "time", "minutes", "hours", "days", "colleagues", "manager", "recommend",
        "friends", "switch", "competitor", "keep", "using", "daily", "weekly", "because", "but", "and", "so",
        "although", "when", "while", "with", "without", "for", "from", "into", "about", "only", "also", "too",
    ];

    private readonly Random _random = new(seed);
    private readonly StringBuilder _text = new(bytes + 32);

    /// <summary>Length of every comment in bytes. The text is ASCII, so this is also its length in characters.</summary>
    public int Bytes { get; } = bytes;

    /// <summary>Returns the next comment: sentences of 6 to 15 words, cut to <see cref="Bytes"/> bytes.</summary>
    public string Next()
    {
        _text.Clear();
        while (_text.Length < Bytes)
        {
            int words = _random.Next(6, 16);
            for (int index = 0; index < words; index++)
            {
                string word = Words[_random.Next(Words.Length)];
                if (index == 0)
                {
                    _text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
                }
                else
                {
                    _text.Append(' ').Append(word);
                }
            }

            _text.Append(_random.Next(5) == 0 ? "! " : ". ");
        }

        return _text.ToString(0, Bytes);
    }
}

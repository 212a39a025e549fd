using System.Text.RegularExpressions;

namespace NpsGrpc.Cli.Mapping;

/// <summary>An attribute read from a CSV column, given on the command line as KEY=COLUMN.</summary>
/// <param name="Key">Attribute key sent to the server.</param>
/// <param name="Column">Header name of the column the values come from.</param>
internal sealed partial record AttributeMapping(string Key, string Column)
{
    /// <summary>Maximum length of an attribute key, as the API defines it.</summary>
    public const int MaxKeyLength = 63;

    /// <summary>
    /// Parses KEY=COLUMN. The column name may itself contain '=' because only the first one separates. Returns
    /// null and sets <paramref name="error"/> when the text is malformed or the key breaks the API's key rule.
    /// </summary>
    public static AttributeMapping? TryParse(string text, out string? error)
    {
        int separator = text.IndexOf('=');
        if (separator <= 0 || separator == text.Length - 1)
        {
            error = $"Attribute mapping '{text}' is invalid; write KEY=COLUMN, for example airline=Airline.";
            return null;
        }

        string key = text[..separator];
        if (!IsValidKey(key))
        {
            error = $"Attribute key '{key}' in '{text}' is invalid; a key is a letter followed by letters, digits " +
                $"or underscores, at most {MaxKeyLength} characters.";
            return null;
        }

        error = null;
        return new AttributeMapping(key, text[(separator + 1)..]);
    }

    /// <summary>
    /// Parses every mapping and checks that no key is given twice; throws <see cref="UsageException"/>.
    /// </summary>
    public static IReadOnlyList<AttributeMapping> ParseAll(IEnumerable<string> texts)
    {
        var mappings = new List<AttributeMapping>();
        foreach (string text in texts)
        {
            var mapping = TryParse(text, out string? error) ?? throw new UsageException(error!);
            if (mappings.Any(existing => existing.Key == mapping.Key))
            {
                throw new UsageException($"Attribute key '{mapping.Key}' is given more than once in --attribute.");
            }

            mappings.Add(mapping);
        }

        return mappings;
    }

    /// <summary>
    /// Whether <paramref name="key"/> follows the API's key rule: a letter followed by letters, digits or
    /// underscores, at most <see cref="MaxKeyLength"/> characters.
    /// </summary>
    public static bool IsValidKey(string key) => KeyPattern().IsMatch(key);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,62}$")]
    private static partial Regex KeyPattern();
}

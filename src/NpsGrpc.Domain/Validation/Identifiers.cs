namespace NpsGrpc.Domain.Validation;

/// <summary>Rules for ids, attribute keys and free text that are shared by every kind of item.</summary>
public static class Identifiers
{
    /// <summary>Maximum length of an attribute key.</summary>
    public const int MaxAttributeKeyLength = 63;

    /// <summary>Maximum length of a survey id.</summary>
    public const int MaxSurveyIdLength = 63;

    /// <summary>
    /// Checks an attribute key: a letter, then letters, digits or underscores, at most 63 characters
    /// (ASCII only, so keys read the same in SQL, Parquet column names and every client language).
    /// </summary>
    public static bool IsAttributeKey(string key)
    {
        if (key.Length is 0 or > MaxAttributeKeyLength || !char.IsAsciiLetter(key[0]))
        {
            return false;
        }

        foreach (char c in key)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks a survey id: lowercase ASCII letters, digits and hyphens, starting with a letter or digit,
    /// at most 63 characters.
    /// </summary>
    public static bool IsSurveyId(string surveyId)
    {
        if (surveyId.Length is 0 or > MaxSurveyIdLength || surveyId[0] == '-')
        {
            return false;
        }

        foreach (char c in surveyId)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Counts Unicode characters (scalar values), so an emoji counts once although .NET strings store it as two
    /// UTF-16 code units. Every length limit of the API is in these characters.
    /// </summary>
    public static int CharacterCount(string text)
    {
        int surrogatePairs = 0;
        for (int i = 0; i < text.Length - 1; i++)
        {
            if (char.IsSurrogatePair(text[i], text[i + 1]))
            {
                surrogatePairs++;
                i++;
            }
        }

        return text.Length - surrogatePairs;
    }

    /// <summary>Shortens a value quoted in a message to 64 characters, so one bad item cannot flood a reply.</summary>
    public static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "...";

    /// <summary>
    /// Checks a client-chosen id such as a response, customer or batch id and returns the broken rule,
    /// or null when the id is valid.
    /// </summary>
    public static string? CheckId(string id, int maxLength)
    {
        if (id.Length == 0)
        {
            return "is required";
        }

        if (CharacterCount(id) is var idLength && idLength > maxLength)
        {
            return $"is {idLength} characters long; the maximum is {maxLength}";
        }

        if (id.Any(char.IsControl))
        {
            return "contains a control character";
        }

        return null;
    }

    /// <summary>
    /// Checks a name shown on one line (a display name or an owner) and returns the broken rule, or null when valid.
    /// Control characters are rejected because terminals act on them: a name with escape sequences or line breaks
    /// could rewrite what a listing shows.
    /// </summary>
    public static string? CheckName(string text, int maxLength) =>
        CheckText(text, maxLength) ?? CheckControlCharacters(text, allowLineBreaks: false);

    /// <summary>
    /// Checks a description or note shown to people and returns the broken rule, or null when valid. Tabs and line
    /// breaks are allowed, other control characters are not (see <see cref="CheckName"/>).
    /// </summary>
    public static string? CheckDescription(string text, int maxLength) =>
        CheckText(text, maxLength) ?? CheckControlCharacters(text, allowLineBreaks: true);

    private static string? CheckControlCharacters(string text, bool allowLineBreaks)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char character = text[i];
            bool allowed = allowLineBreaks && character is '\t' or '\n' or '\r';
            if (char.IsControl(character) && !allowed)
            {
                string rule = allowLineBreaks ? "only tabs and line breaks are allowed" : "names take printable characters only";
                return $"contains the control character U+{(int)character:X4} at position {i}; {rule}";
            }
        }

        return null;
    }

    /// <summary>
    /// Checks free text (a comment or an attribute value) and returns the broken rule, or null when valid.
    /// PostgreSQL text cannot store the NUL character, so it is rejected here rather than failing a batch.
    /// </summary>
    public static string? CheckText(string text, int maxLength)
    {
        if (CharacterCount(text) is var length && length > maxLength)
        {
            return $"is {length} characters long; the maximum is {maxLength}";
        }

        if (text.Contains('\0'))
        {
            return "contains the NUL character (U+0000), which cannot be stored";
        }

        return null;
    }
}

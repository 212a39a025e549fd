using NpsGrpc.Domain.Validation;

namespace NpsGrpc.Server.Cohorts;

/// <summary>The form of a cohort name: 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit.</summary>
public static class CohortName
{
    /// <summary>Maximum length of a name, in characters.</summary>
    public const int MaxLength = 63;

    /// <summary>Returns a message naming <paramref name="field"/> when <paramref name="name"/> is malformed, or null.</summary>
    public static string? Check(string name, string field)
    {
        if (name.Length == 0)
        {
            return $"{field} is required";
        }

        bool valid = name.Length <= MaxLength
            && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
            && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
        return valid
            ? null
            : $"{field} '{Identifiers.Shorten(name)}' is invalid; a cohort name is 1 to {MaxLength} lowercase letters, " +
              "digits and hyphens, starting with a letter or digit";
    }
}

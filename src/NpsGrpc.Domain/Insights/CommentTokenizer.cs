using System.Globalization;
using System.Text;

namespace NpsGrpc.Domain.Insights;

/// <summary>
/// Splits a comment into the terms that comment themes count. The text is normalised to Unicode NFKC (full-width
/// Latin becomes ASCII, half-width katakana becomes full-width) and lower-cased with the invariant culture. A word is
/// a run of letters, digits and combining marks. Words of scripts written with spaces give unigrams, except stop
/// words and single characters, and two-word phrases of adjacent kept words. Runs of scripts written without spaces
/// (Han, hiragana, katakana, Thai, Lao, Khmer, Myanmar) give overlapping character bigrams instead, or the single
/// character of a one-character run, and never join phrases.
/// </summary>
public static class CommentTokenizer
{
    private enum CharacterKind
    {
        Separator,
        Joiner,
        Word,
        Spaceless,
    }

    /// <summary>Returns the terms of <paramref name="text"/> in text order; a phrase contains one space.</summary>
    public static List<string> Tokenize(string text)
    {
        var terms = new List<string>();
        string normalized = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var current = new StringBuilder();
        var currentKind = CharacterKind.Separator;
        int currentLength = 0;
        string? previousWord = null;
        bool phraseBroken = true;

        void Flush()
        {
            if (current.Length == 0)
            {
                return;
            }

            string token = current.ToString();
            if (currentKind == CharacterKind.Spaceless)
            {
                AddCharacterBigrams(token, terms);
                previousWord = null;
            }
            else if (currentLength > 1 && !StopWords.Contains(token))
            {
                terms.Add(token);
                if (previousWord is not null && !phraseBroken)
                {
                    terms.Add(previousWord + " " + token);
                }

                previousWord = token;
            }
            else
            {
                previousWord = null;
            }

            phraseBroken = false;
            current.Clear();
            currentLength = 0;
        }

        foreach (var rune in normalized.EnumerateRunes())
        {
            var kind = Classify(rune, currentKind);
            if (kind is CharacterKind.Separator or CharacterKind.Joiner)
            {
                Flush();
                currentKind = CharacterKind.Separator;
                if (kind == CharacterKind.Separator)
                {
                    phraseBroken = true;
                }

                continue;
            }

            if (kind != currentKind)
            {
                Flush();
                if (kind == CharacterKind.Spaceless || currentKind == CharacterKind.Spaceless)
                {
                    phraseBroken = true;
                }

                currentKind = kind;
            }

            current.Append(rune.ToString());
            currentLength++;
        }

        Flush();
        return terms;
    }

    private static void AddCharacterBigrams(string run, List<string> terms)
    {
        var runes = run.EnumerateRunes().Select(r => r.ToString()).ToList();
        if (runes.Count == 1)
        {
            terms.Add(runes[0]);
            return;
        }

        for (int i = 0; i + 1 < runes.Count; i++)
        {
            terms.Add(runes[i] + runes[i + 1]);
        }
    }

    // White space, hyphens and apostrophes end a word but not a phrase, so "user-friendly" gives "user friendly".
    // Any other punctuation or symbol ends the phrase too. A combining mark continues the run it follows.
    private static CharacterKind Classify(Rune rune, CharacterKind previous)
    {
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
        {
            return previous == CharacterKind.Separator ? CharacterKind.Separator : previous;
        }

        if (Rune.IsLetterOrDigit(rune))
        {
            return IsSpacelessScript(rune.Value) ? CharacterKind.Spaceless : CharacterKind.Word;
        }

        if (Rune.IsWhiteSpace(rune) || category == UnicodeCategory.DashPunctuation || rune.Value is '\'' or '\u2019')
        {
            return CharacterKind.Joiner;
        }

        return CharacterKind.Separator;
    }

    private static bool IsSpacelessScript(int codePoint) => codePoint switch
    {
        >= 0x0E00 and <= 0x0EFF => true, // Thai, Lao
        >= 0x1000 and <= 0x109F => true, // Myanmar
        >= 0x1780 and <= 0x17FF => true, // Khmer
        >= 0x3005 and <= 0x3007 => true, // ideographic iteration mark, closing mark, number zero
        >= 0x3040 and <= 0x30FF => true, // hiragana, katakana
        >= 0x31F0 and <= 0x31FF => true, // katakana phonetic extensions
        >= 0x3400 and <= 0x4DBF => true, // CJK unified ideographs extension A
        >= 0x4E00 and <= 0x9FFF => true, // CJK unified ideographs
        >= 0xF900 and <= 0xFAFF => true, // CJK compatibility ideographs
        >= 0x20000 and <= 0x3FFFF => true, // CJK unified ideographs extensions B and later
        _ => false,
    };
}

using System.Text;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Mapping;

/// <summary>
/// Parses the filter conditions of --where and --where-customer into API conditions:
/// <list type="bullet">
/// <item><c>KEY=VALUE</c>: the attribute equals VALUE (EQUALS).</item>
/// <item><c>KEY!=VALUE</c>: the attribute does not equal VALUE or is missing (NOT_EQUALS).</item>
/// <item><c>KEY=V1|V2</c>: the attribute equals one of the values (IN).</item>
/// <item><c>KEY!=V1|V2</c>: the attribute equals none of the values or is missing (NOT_IN).</item>
/// <item><c>KEY?</c>: the attribute is present (PRESENT).</item>
/// <item><c>!KEY</c>: the attribute is missing (MISSING).</item>
/// </list>
/// Only the first '=' separates the key from the values, so values may contain '=' and spaces, which are kept
/// exactly. In values, <c>\|</c> is a literal '|' and <c>\\</c> for a literal backslash. Any other
/// backslash is kept as it is.
/// </summary>
internal static class ConditionParser
{
    /// <summary>The grammar in one line, for help text and error messages.</summary>
    public const string Grammar = "KEY=VALUE, KEY!=VALUE, KEY=V1|V2, KEY!=V1|V2, KEY? or !KEY";

    /// <summary>
    /// Parses <paramref name="text"/> as a condition on an attribute of <paramref name="scope"/>. Returns null and
    /// sets <paramref name="error"/> when the text is malformed, the key breaks the API's key rule or a value is
    /// empty.
    /// </summary>
    public static AttributeCondition? TryParse(string text, AttributeScope scope, out string? error)
    {
        int equalsIndex = text.IndexOf('=');
        if (equalsIndex >= 0)
        {
            return TryParseComparison(text, equalsIndex, scope, out error);
        }

        if (text.StartsWith('!'))
        {
            return TryCreate(text, text[1..], scope, ConditionOperator.Missing, [], out error);
        }

        if (text.EndsWith('?'))
        {
            return TryCreate(text, text[..^1], scope, ConditionOperator.Present, [], out error);
        }

        error = $"Condition '{text}' is invalid; write {Grammar}, for example channel=web.";
        return null;
    }

    /// <summary>
    /// Parses every text in <paramref name="texts"/>, or throws <see cref="UsageException"/> naming
    /// <paramref name="optionName"/> at the first malformed one.
    /// </summary>
    public static IReadOnlyList<AttributeCondition> ParseAll(
        IEnumerable<string> texts, AttributeScope scope, string optionName)
    {
        var conditions = new List<AttributeCondition>();
        foreach (string text in texts)
        {
            var condition = TryParse(text, scope, out string? error)
                ?? throw new UsageException($"{optionName}: {error}");
            conditions.Add(condition);
        }

        return conditions;
    }

    private static AttributeCondition? TryParseComparison(
        string text, int equalsIndex, AttributeScope scope, out string? error)
    {
        string key = text[..equalsIndex];
        bool negated = key.EndsWith('!');
        if (negated)
        {
            key = key[..^1];
        }

        string valueText = text[(equalsIndex + 1)..];
        if (valueText.Length == 0)
        {
            error = $"Condition '{text}' has no value after '='; attribute values are never empty, so use !{key} " +
                "to select responses without the attribute.";
            return null;
        }

        List<string> values = SplitValues(valueText);
        if (values.Any(value => value.Length == 0))
        {
            error = $"Condition '{text}' has an empty value between '|' separators; write KEY=V1|V2, and \\| for a " +
                "literal '|' inside a value.";
            return null;
        }

        ConditionOperator comparison = (negated, values.Count) switch
        {
            (false, 1) => ConditionOperator.Equals,
            (true, 1) => ConditionOperator.NotEquals,
            (false, _) => ConditionOperator.In,
            (true, _) => ConditionOperator.NotIn,
        };
        return TryCreate(text, key, scope, comparison, values, out error);
    }

    private static AttributeCondition? TryCreate(
        string text,
        string key,
        AttributeScope scope,
        ConditionOperator comparison,
        IEnumerable<string> values,
        out string? error)
    {
        if (key.Length == 0)
        {
            error = $"Condition '{text}' has no attribute key; write {Grammar}.";
            return null;
        }

        if (!AttributeMapping.IsValidKey(key))
        {
            error = $"Attribute key '{key}' in condition '{text}' is invalid; a key is a letter followed by letters, " +
                $"digits or underscores, at most {AttributeMapping.MaxKeyLength} characters.";
            return null;
        }

        error = null;
        return new AttributeCondition { Key = key, Scope = scope, Operator = comparison, Values = { values } };
    }

    // Splits at each '|' that is not escaped, and resolves the escapes \| and \\.
    private static List<string> SplitValues(string valueText)
    {
        var values = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < valueText.Length; i++)
        {
            char c = valueText[i];
            if (c == '\\' && i + 1 < valueText.Length && valueText[i + 1] is '|' or '\\')
            {
                current.Append(valueText[i + 1]);
                i++;
            }
            else if (c == '|')
            {
                values.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        values.Add(current.ToString());
        return values;
    }
}

using NpsGrpc.V1;

namespace NpsGrpc.Cli.Output;

/// <summary>Formats an API condition in the --where grammar, prefixed with its scope.</summary>
internal static class ConditionText
{
    /// <summary>
    /// Formats <paramref name="condition"/>, for example "customer plan=pro|team" or "response !channel". Values
    /// escape '|' and '\' as --where reads them.
    /// </summary>
    public static string Format(AttributeCondition condition)
    {
        string scope = condition.Scope == AttributeScope.Customer ? "customer" : "response";
        string values = string.Join("|", condition.Values.Select(Escape));
        string text = condition.Operator switch
        {
            ConditionOperator.Equals or ConditionOperator.In => $"{condition.Key}={values}",
            ConditionOperator.NotEquals or ConditionOperator.NotIn => $"{condition.Key}!={values}",
            ConditionOperator.Present => $"{condition.Key}?",
            ConditionOperator.Missing => $"!{condition.Key}",
            _ => $"{condition.Key} ({condition.Operator})",
        };
        return $"{scope} {text}";
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("|", "\\|");
}

using System.Globalization;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Output;

/// <summary>Formats the numbers of NPS tables, which the server sends unrounded.</summary>
internal static class NumberText
{
    /// <summary>Text of a missing value, such as the NPS of an empty group.</summary>
    public const string Missing = "-";

    /// <summary>The server's confidence level when a request leaves it at 0.</summary>
    public const double ServerDefaultConfidence = 0.95;

    /// <summary>Smallest p-value shown as a number. Smaller ones are shown as "&lt;0.001".</summary>
    public const double SmallestPValue = 0.001;

    private const int PValueSignificantDigits = 3;

    /// <summary>Formats an integer count.</summary>
    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats <paramref name="value"/> with one decimal, such as 21.2.</summary>
    public static string OneDecimal(double value)
    {
        string text = value.ToString("0.0", CultureInfo.InvariantCulture);

        // A small negative value rounds to "-0.0", which reads like a real difference from zero.
        return text == "-0.0" ? "0.0" : text;
    }

    /// <summary>Formats <paramref name="value"/> with one decimal and a sign, such as +3.5 or -12.0.</summary>
    public static string SignedOneDecimal(double value)
    {
        string text = OneDecimal(value);
        return text.StartsWith('-') || text == "0.0" ? text : "+" + text;
    }

    /// <summary>Formats a share from 0 to 1 as a percentage with one decimal, such as 40.2%.</summary>
    public static string Percent(double share) => OneDecimal(share * 100) + "%";

    /// <summary>Formats the NPS of <paramref name="statistics"/>, or a dash when it has none.</summary>
    public static string Nps(NpsStatistics statistics) =>
        statistics.HasNps ? OneDecimal(statistics.Nps) : Missing;

    /// <summary>Formats the confidence interval of <paramref name="statistics"/> as [lower, upper].</summary>
    public static string Interval(NpsStatistics statistics) =>
        statistics.ConfidenceInterval is { } interval
            ? $"[{OneDecimal(interval.Lower)}, {OneDecimal(interval.Upper)}]"
            : Missing;

    /// <summary>Formats a confidence level such as 0.95 as 95.</summary>
    public static string LevelPercent(double level) =>
        (level * 100).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// Formats a p-value with 3 significant digits, such as 0.0123 or 0.500, and values below 0.001 as "&lt;0.001".
    /// </summary>
    public static string PValue(double pValue)
    {
        if (pValue < SmallestPValue)
        {
            return "<" + SmallestPValue.ToString(CultureInfo.InvariantCulture);
        }

        // Round first, so that a value such as 0.009996 becomes 0.0100 and not 0.01000.
        int magnitude = (int)Math.Floor(Math.Log10(pValue));
        double rounded = Math.Round(pValue, Math.Max(0, PValueSignificantDigits - 1 - magnitude));
        int decimals = Math.Max(0, PValueSignificantDigits - 1 - (int)Math.Floor(Math.Log10(rounded)));
        return rounded.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}

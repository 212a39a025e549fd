using System.Globalization;

namespace NpsGrpc.Exports.Layout;

/// <summary>One row of the date dimension.</summary>
public sealed record DateRow(
    DateOnly Date,
    int DateKey,
    int Year,
    int Quarter,
    string QuarterName,
    int Month,
    string MonthName,
    string MonthShort,
    string YearMonth,
    int DayOfMonth,
    int DayOfYear,
    int DayOfWeek,
    string DayName,
    bool IsWeekend,
    int IsoWeek,
    int IsoYear,
    DateOnly WeekStart)
{
    /// <summary>Every date from <paramref name="first"/> to <paramref name="last"/> inclusive, without gaps.</summary>
    public static IEnumerable<DateRow> Between(DateOnly first, DateOnly last)
    {
        var culture = CultureInfo.InvariantCulture;
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            var time = date.ToDateTime(TimeOnly.MinValue);
            int isoDay = date.DayOfWeek == System.DayOfWeek.Sunday ? 7 : (int)date.DayOfWeek;
            int quarter = (date.Month + 2) / 3;
            yield return new DateRow(
                date,
                (date.Year * 10000) + (date.Month * 100) + date.Day,
                date.Year,
                quarter,
                $"Q{quarter}",
                date.Month,
                culture.DateTimeFormat.GetMonthName(date.Month),
                culture.DateTimeFormat.GetAbbreviatedMonthName(date.Month),
                date.ToString("yyyy-MM", culture),
                date.Day,
                date.DayOfYear,
                isoDay,
                culture.DateTimeFormat.GetDayName(date.DayOfWeek),
                isoDay >= 6,
                ISOWeek.GetWeekOfYear(time),
                ISOWeek.GetYear(time),
                date.AddDays(1 - isoDay));
        }
    }
}

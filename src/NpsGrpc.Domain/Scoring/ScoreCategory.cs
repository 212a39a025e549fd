namespace NpsGrpc.Domain.Scoring;

/// <summary>NPS category of a 0-10 score.</summary>
public enum ScoreCategory
{
    /// <summary>Scores 0 to 6.</summary>
    Detractor,

    /// <summary>Scores 7 and 8.</summary>
    Passive,

    /// <summary>Scores 9 and 10.</summary>
    Promoter,
}

/// <summary>Maps scores to categories.</summary>
public static class ScoreCategories
{
    /// <summary>Smallest valid score.</summary>
    public const int MinScore = 0;

    /// <summary>Largest valid score.</summary>
    public const int MaxScore = 10;

    /// <summary>Returns the category of <paramref name="score"/>, which must be 0 to 10.</summary>
    public static ScoreCategory Categorize(int score) => score switch
    {
        >= 0 and <= 6 => ScoreCategory.Detractor,
        7 or 8 => ScoreCategory.Passive,
        9 or 10 => ScoreCategory.Promoter,
        _ => throw new ArgumentOutOfRangeException(nameof(score), score, "A score is an integer from 0 to 10."),
    };
}

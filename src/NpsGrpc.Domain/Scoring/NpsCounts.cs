namespace NpsGrpc.Domain.Scoring;

/// <summary>
/// Promoter, passive and detractor counts of a set of responses. Every NPS figure is computed
/// from counts like these, never by averaging the NPS of subgroups.
/// </summary>
public readonly record struct NpsCounts(long Promoters, long Passives, long Detractors)
{
    /// <summary>Number of responses.</summary>
    public long N => Promoters + Passives + Detractors;

    /// <summary>NPS from -100 to +100, or null for an empty set.</summary>
    public double? Nps => N == 0 ? null : 100.0 * (Promoters - Detractors) / N;

    /// <summary>
    /// Variance of the per-respondent score in {-1, 0, +1}, dividing by n:
    /// (p+ + p-) - (p+ - p-)^2. Null for an empty set.
    /// </summary>
    public double? Variance
    {
        get
        {
            if (N == 0)
            {
                return null;
            }

            double promoterShare = (double)Promoters / N;
            double detractorShare = (double)Detractors / N;
            double difference = promoterShare - detractorShare;
            return promoterShare + detractorShare - difference * difference;
        }
    }

    /// <summary>Counts the scores of <paramref name="scores"/>, each 0 to 10.</summary>
    public static NpsCounts FromScores(IEnumerable<int> scores)
    {
        long promoters = 0, passives = 0, detractors = 0;
        foreach (int score in scores)
        {
            switch (ScoreCategories.Categorize(score))
            {
                case ScoreCategory.Promoter:
                    promoters++;
                    break;
                case ScoreCategory.Passive:
                    passives++;
                    break;
                default:
                    detractors++;
                    break;
            }
        }

        return new NpsCounts(promoters, passives, detractors);
    }

    /// <summary>Adds two sets of counts.</summary>
    public static NpsCounts operator +(NpsCounts left, NpsCounts right) =>
        new(left.Promoters + right.Promoters, left.Passives + right.Passives, left.Detractors + right.Detractors);
}

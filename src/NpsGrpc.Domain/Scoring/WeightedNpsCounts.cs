namespace NpsGrpc.Domain.Scoring;

/// <summary>
/// Weight sums of a set of weighted responses. Shares are weight sums over the total weight, and the
/// uncertainty uses the Kish effective sample size (sum w)^2 / sum w^2 in place of n.
/// </summary>
/// <param name="PromoterWeight">Sum of the weights of promoters.</param>
/// <param name="PassiveWeight">Sum of the weights of passives.</param>
/// <param name="DetractorWeight">Sum of the weights of detractors.</param>
/// <param name="SumOfSquaredWeights">Sum of the squared weights of all responses.</param>
public readonly record struct WeightedNpsCounts(
    double PromoterWeight, double PassiveWeight, double DetractorWeight, double SumOfSquaredWeights)
{
    /// <summary>Total weight.</summary>
    public double TotalWeight => PromoterWeight + PassiveWeight + DetractorWeight;

    /// <summary>Kish effective sample size, or 0 for an empty set.</summary>
    public double EffectiveN => SumOfSquaredWeights == 0 ? 0 : TotalWeight * TotalWeight / SumOfSquaredWeights;

    /// <summary>Weighted NPS, or null for an empty set.</summary>
    public double? Nps => TotalWeight == 0 ? null : 100 * (PromoterWeight - DetractorWeight) / TotalWeight;

    /// <summary>Variance of the per-respondent score in {-1, 0, +1} with weighted shares, or null for an empty set.</summary>
    public double? Variance
    {
        get
        {
            if (TotalWeight == 0)
            {
                return null;
            }

            double promoterShare = PromoterWeight / TotalWeight;
            double detractorShare = DetractorWeight / TotalWeight;
            double difference = promoterShare - detractorShare;
            return promoterShare + detractorShare - difference * difference;
        }
    }

    /// <summary>Standard error in NPS points, 100 x sqrt(variance / effective n), or null for an empty set.</summary>
    public double? StandardError => Variance is { } variance ? 100 * Math.Sqrt(variance / EffectiveN) : null;

    /// <summary>
    /// Returns these sums with the weight of every category that has no responses in <paramref name="counts"/> set to
    /// exactly 0. Sums built by subtracting floating-point partial sums can leave a residue such as 2.8e-17 where
    /// the counts are 0, which would otherwise turn an empty set into one with an NPS.
    /// </summary>
    public WeightedNpsCounts KeepingOnly(NpsCounts counts) => new(
        counts.Promoters == 0 ? 0 : PromoterWeight,
        counts.Passives == 0 ? 0 : PassiveWeight,
        counts.Detractors == 0 ? 0 : DetractorWeight,
        counts.N == 0 ? 0 : SumOfSquaredWeights);

    /// <summary>Sums the weights of <paramref name="responses"/>, each a 0-10 score with a positive weight.</summary>
    public static WeightedNpsCounts FromResponses(IEnumerable<(int Score, double Weight)> responses)
    {
        double promoters = 0, passives = 0, detractors = 0, squares = 0;
        foreach ((int score, double weight) in responses)
        {
            switch (ScoreCategories.Categorize(score))
            {
                case ScoreCategory.Promoter:
                    promoters += weight;
                    break;
                case ScoreCategory.Passive:
                    passives += weight;
                    break;
                default:
                    detractors += weight;
                    break;
            }

            squares += weight * weight;
        }

        return new WeightedNpsCounts(promoters, passives, detractors, squares);
    }
}

namespace NpsGrpc.Domain.Insights;

/// <summary>
/// Counts terms in two corpora (promoters' and detractors' comments) and scores each term by the log-odds ratio
/// with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008, "Fightin' Words", Political Analysis 16(4),
/// equations 16 to 22). The prior is informative and taken from the pooled corpus: term w gets the pseudo-count
/// a_w = its count in both corpora together, so the prior is as large as the data and shrinks rare terms towards no
/// difference at any corpus size.
/// </summary>
public sealed class DistinctiveTerms
{
    private readonly Dictionary<string, (long First, long Second)> _counts = new(StringComparer.Ordinal);
    private long _firstTotal;
    private long _secondTotal;

    /// <summary>Counts the terms of one document of the first corpus, or of the second.</summary>
    public void Add(IEnumerable<string> terms, bool first)
    {
        foreach (string term in terms)
        {
            _counts.TryGetValue(term, out var counts);
            _counts[term] = first ? (counts.First + 1, counts.Second) : (counts.First, counts.Second + 1);
            if (first)
            {
                _firstTotal++;
            }
            else
            {
                _secondTotal++;
            }
        }
    }

    /// <summary>
    /// Scores every term used at least <paramref name="minCount"/> times in both corpora together, in no particular
    /// order. Totals include the terms left out, so the threshold does not change the scores.
    /// </summary>
    public List<TermScore> Score(int minCount)
    {
        double priorTotal = _firstTotal + _secondTotal;
        var scores = new List<TermScore>();
        foreach (var (term, (first, second)) in _counts)
        {
            if (first + second < minCount)
            {
                continue;
            }

            double prior = first + second;
            double firstRest = _firstTotal + priorTotal - first - prior;
            double secondRest = _secondTotal + priorTotal - second - prior;
            if (firstRest <= 0 || secondRest <= 0)
            {
                // A term that is the whole of both corpora has no odds.
                continue;
            }

            double logOdds = Math.Log((first + prior) / firstRest) - Math.Log((second + prior) / secondRest);
            double variance = 1 / (first + prior) + 1 / (second + prior);
            scores.Add(new TermScore(term, first, second, logOdds, logOdds / Math.Sqrt(variance)));
        }

        return scores;
    }
}

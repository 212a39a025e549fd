namespace NpsGrpc.Storage.FollowUps;

/// <summary>Settings of the follow-up loop, bound from the <c>FollowUps</c> configuration section.</summary>
public sealed class FollowUpOptions
{
    /// <summary>
    /// Points by which a customer's latest score must fall below their previous one to open a score-drop item; 0 turns
    /// the rule off. Default 3, the smallest fall that always leaves the promoter band (10 to 7, 9 to 6).
    /// </summary>
    public int MinScoreDrop { get; set; } = 3;

    /// <summary>How often an open SubscribeFollowUps stream looks for new items. Default one second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        // A fall of 1 can end in the promoter band (10 to 9), where the response is an advocacy candidate instead.
        if (MinScoreDrop != 0 && MinScoreDrop is < 2 or > 10)
        {
            throw new InvalidOperationException(
                $"FollowUps:MinScoreDrop is {MinScoreDrop}; use 0 to turn score-drop items off, or 2 to 10 points.");
        }

        if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException(
                $"FollowUps:PollInterval is {PollInterval}; use more than zero and at most 00:01:00.");
        }
    }
}

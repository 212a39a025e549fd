namespace NpsGrpc.Benchmarks.Generation;

/// <summary>
/// An attribute value with its relative frequency and its shift of the promoter and detractor shares.
/// </summary>
public sealed record AttributeValue(string Name, double Frequency, double PromoterShift, double DetractorShift);

/// <summary>
/// The shape of the generated survey: attribute values with skewed frequencies, score mix and comments. The shifts
/// roughly cancel out when weighted by frequency, so the overall mix stays near the base shares.
/// </summary>
public static class SurveyProfile
{
    /// <summary>Share of promoters (9 and 10) before attribute shifts.</summary>
    public const double BasePromoterShare = 0.45;

    /// <summary>Share of detractors (0 to 6) before attribute shifts; passives (7 and 8) take the rest.</summary>
    public const double BaseDetractorShare = 0.25;

    /// <summary>Length of the responded_at window, ending at <see cref="WindowEnd"/>.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(730);

    /// <summary>End of the responded_at window, fixed so that a seed always yields the same rows.</summary>
    public static readonly DateTime WindowEnd = new(2025, 7, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Values of the <c>region</c> attribute, a property of the customer.</summary>
    public static readonly AttributeValue[] Regions =
    [
        new("us-east", 24, 0.02, -0.01),
        new("eu-west", 18, 0.03, -0.02),
        new("us-west", 16, 0.01, 0.00),
        new("eu-central", 12, 0.02, -0.02),
        new("uk", 10, -0.02, 0.02),
        new("apac-south", 8, -0.06, 0.04),
        new("apac-east", 7, -0.03, 0.02),
        new("latam", 5, -0.08, 0.06),
    ];

    /// <summary>Values of the <c>plan</c> attribute, a property of the customer.</summary>
    public static readonly AttributeValue[] Plans =
    [
        new("free", 45, -0.07, 0.06),
        new("starter", 30, 0.03, -0.02),
        new("business", 18, 0.08, -0.07),
        new("enterprise", 7, 0.12, -0.10),
    ];

    /// <summary>Values of the <c>channel</c> attribute, drawn per response.</summary>
    public static readonly AttributeValue[] Channels =
    [
        new("email", 40, 0.00, 0.00),
        new("in_app", 28, 0.04, -0.03),
        new("web", 17, -0.01, 0.01),
        new("sms", 10, -0.05, 0.03),
        new("phone", 5, -0.08, 0.10),
    ];

    /// <summary>Relative weights of the detractor scores 0 to 6: most detractors give a 5 or a 6.</summary>
    public static readonly double[] DetractorScoreWeights = [4, 3, 4, 6, 8, 12, 14];

    /// <summary>Chance of a 10 among promoters and of an 8 among passives.</summary>
    public const double UpperScoreShare = 0.55;

    /// <summary>Chance of a comment for promoters, passives and detractors: about 30 % overall.</summary>
    public static readonly (double Promoter, double Passive, double Detractor) CommentShare = (0.27, 0.22, 0.45);

    /// <summary>Comments of promoters.</summary>
    public static readonly string[] PromoterComments =
    [
        "Works great, setup took minutes.",
        "Support answered within the hour, thanks!",
        "Best tool we have adopted this year.",
        "Reliable and fast. The new dashboard is excellent.",
        "Our whole team uses it daily.",
        "Easy to use, fair price.",
    ];

    /// <summary>Comments of passives.</summary>
    public static readonly string[] PassiveComments =
    [
        "Good overall, but the mobile app feels slow.",
        "Does the job. Reports could be more flexible.",
        "Fine, though pricing went up last renewal.",
        "OK, documentation is thin in places.",
        "Solid, some features are hard to find.",
    ];

    /// <summary>Comments of detractors, some with commas and quotes, as real comments have.</summary>
    public static readonly string[] DetractorComments =
    [
        "Too expensive for what it does.",
        "Billing was wrong twice; support took a week to reply.",
        "The export keeps failing with \"timeout\", very frustrating.",
        "Missing integrations we need, switching soon.",
        "Outage last month cost us a day of work.",
        "Confusing UI, hard to onboard new staff.",
    ];
}

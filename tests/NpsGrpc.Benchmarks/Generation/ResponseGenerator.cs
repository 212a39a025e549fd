using System.Buffers.Binary;

namespace NpsGrpc.Benchmarks.Generation;

/// <summary>
/// Generates survey responses deterministically from a seed. Each customer has a fixed region and plan, each response
/// draws its channel, and the attribute values shift the chances of promoter, passive and detractor scores.
/// Responses come in responded_at order, as a live feed or an export delivers them.
/// </summary>
public sealed class ResponseGenerator(int seed)
{
    private const long MicrosecondsPerMillisecond = 1000;

    /// <summary>Generates <paramref name="count"/> responses sorted by responded_at.</summary>
    public GeneratedResponse[] Generate(int count) => Stream(count).ToArray();

    /// <summary>
    /// Generates <paramref name="count"/> responses sorted by responded_at one at a time, so that a caller can send
    /// millions of them without holding them all. The sequence equals <see cref="Generate"/>'s for the same seed.
    /// Only the customer pool and the sorted timestamps (8 bytes per response) stay in memory during the enumeration.
    /// </summary>
    public IEnumerable<GeneratedResponse> Stream(int count)
    {
        // System.Random with a seed uses an algorithm that .NET keeps stable across versions.
        var random = new Random(seed);
        int customerCount = Math.Max(1, count / 4);
        var customerRegions = new AttributeValue[customerCount];
        var customerPlans = new AttributeValue[customerCount];
        for (int customer = 0; customer < customerCount; customer++)
        {
            customerRegions[customer] = Pick(SurveyProfile.Regions, random);
            customerPlans[customer] = Pick(SurveyProfile.Plans, random);
        }

        long[] offsets = RespondedAtOffsets(count, random);
        long windowStartMicros = (SurveyProfile.WindowEnd - SurveyProfile.Window - DateTime.UnixEpoch).Ticks / 10;
        for (int index = 0; index < count; index++)
        {
            int customer = random.Next(customerCount);
            var region = customerRegions[customer];
            var plan = customerPlans[customer];
            var channel = Pick(SurveyProfile.Channels, random);
            long unixMicros = windowStartMicros + offsets[index];
            int score = DrawScore(region, plan, channel, random, out string? comment);
            yield return new GeneratedResponse(
                UuidVersion7(unixMicros / MicrosecondsPerMillisecond, random),
                $"cust-{customer:D7}",
                score,
                DateTime.UnixEpoch.AddTicks(unixMicros * 10),
                comment,
                region.Name,
                plan.Name,
                channel.Name);
        }
    }

    private static long[] RespondedAtOffsets(int count, Random random)
    {
        long windowMicros = SurveyProfile.Window.Ticks / 10;
        var offsets = new long[count];
        for (int index = 0; index < count; index++)
        {
            offsets[index] = random.NextInt64(windowMicros);
        }

        Array.Sort(offsets);
        return offsets;
    }

    private static int DrawScore(
        AttributeValue region, AttributeValue plan, AttributeValue channel, Random random, out string? comment)
    {
        double promoterShare = SurveyProfile.BasePromoterShare
            + region.PromoterShift + plan.PromoterShift + channel.PromoterShift;
        promoterShare = Math.Clamp(promoterShare, 0.05, 0.85);
        double detractorShare = SurveyProfile.BaseDetractorShare
            + region.DetractorShift + plan.DetractorShift + channel.DetractorShift;
        detractorShare = Math.Clamp(detractorShare, 0.03, 0.95 - promoterShare);

        double draw = random.NextDouble();
        int score;
        double commentShare;
        string[] comments;
        if (draw < promoterShare)
        {
            score = random.NextDouble() < SurveyProfile.UpperScoreShare ? 10 : 9;
            (commentShare, comments) = (SurveyProfile.CommentShare.Promoter, SurveyProfile.PromoterComments);
        }
        else if (draw < promoterShare + detractorShare)
        {
            score = PickIndex(SurveyProfile.DetractorScoreWeights, random);
            (commentShare, comments) = (SurveyProfile.CommentShare.Detractor, SurveyProfile.DetractorComments);
        }
        else
        {
            score = random.NextDouble() < SurveyProfile.UpperScoreShare ? 8 : 7;
            (commentShare, comments) = (SurveyProfile.CommentShare.Passive, SurveyProfile.PassiveComments);
        }

        comment = random.NextDouble() < commentShare ? comments[random.Next(comments.Length)] : null;
        return score;
    }

    /// <summary>
    /// Builds a UUID version 7 (RFC 9562) from a Unix millisecond timestamp and seeded random bits. It has the layout
    /// of <see cref="Guid.CreateVersion7(DateTimeOffset)"/>, which draws its random bits from an unseeded source.
    /// </summary>
    private static string UuidVersion7(long unixMilliseconds, Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes[6..]);
        Span<byte> timestamp = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(timestamp, unixMilliseconds);
        timestamp[2..].CopyTo(bytes);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true).ToString();
    }

    private static AttributeValue Pick(AttributeValue[] values, Random random)
    {
        double draw = random.NextDouble() * values.Sum(value => value.Frequency);
        foreach (var value in values)
        {
            draw -= value.Frequency;
            if (draw < 0)
            {
                return value;
            }
        }

        return values[^1];
    }

    private static int PickIndex(double[] weights, Random random)
    {
        double draw = random.NextDouble() * weights.Sum();
        for (int index = 0; index < weights.Length; index++)
        {
            draw -= weights[index];
            if (draw < 0)
            {
                return index;
            }
        }

        return weights.Length - 1;
    }
}

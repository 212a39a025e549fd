using System.Globalization;
using System.Text;

namespace NpsGrpc.Testing;

/// <summary>One sample of a Prometheus text exposition: a metric name, its labels and its value.</summary>
/// <param name="Name">Metric name, such as nps_ingest_batches_total.</param>
/// <param name="Labels">Label names and values.</param>
/// <param name="Value">The sample value.</param>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// Parses the Prometheus text format (version 0.0.4) that the scrape endpoint serves, and sums the samples of a
/// metric over the label values a caller selects.
/// </summary>
public sealed class PrometheusText
{
    private PrometheusText(IReadOnlyList<PrometheusSample> samples) => Samples = samples;

    /// <summary>Every sample, in the order of the exposition.</summary>
    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Scrapes <paramref name="url"/> over HTTP/1.1 and parses the response.</summary>
    public static async Task<PrometheusText> ScrapeAsync(string url, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        string text = await http.GetStringAsync(url, cancellationToken);
        return Parse(text);
    }

    /// <summary>Parses an exposition, skipping comment lines (# HELP, # TYPE) and blank lines.</summary>
    public static PrometheusText Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            samples.Add(ParseSample(line));
        }

        return new PrometheusText(samples);
    }

    /// <summary>
    /// Sums the samples named <paramref name="name"/> whose labels include every pair of <paramref name="labels"/>
    /// (given as "name=value"). Returns 0 when none matches, as Prometheus treats an absent counter.
    /// </summary>
    public double Sum(string name, params string[] labels)
    {
        var wanted = labels.Select(pair => pair.Split('=', 2)).ToList();
        return Samples
            .Where(sample => sample.Name == name)
            .Where(sample => wanted.All(pair => sample.Labels.TryGetValue(pair[0], out var value) && value == pair[1]))
            .Sum(sample => sample.Value);
    }

    /// <summary>Whether any sample is named <paramref name="name"/>.</summary>
    public bool Has(string name) => Samples.Any(sample => sample.Name == name);

    private static PrometheusSample ParseSample(string line)
    {
        int brace = line.IndexOf('{');
        int space = line.IndexOf(' ');
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        string name;
        int valueStart;
        if (brace >= 0 && (space < 0 || brace < space))
        {
            name = line[..brace];
            int position = brace + 1;
            while (line[position] != '}')
            {
                int equals = line.IndexOf('=', position);
                string label = line[position..equals].Trim(',', ' ');
                (string labelValue, position) = ReadQuoted(line, equals + 1);
                labels[label] = labelValue;
                if (line[position] == ',')
                {
                    position++;
                }
            }

            valueStart = position + 2;
        }
        else
        {
            name = line[..space];
            valueStart = space + 1;
        }

        // A sample may carry a timestamp after its value. The exporter writes none, but one is skipped if present.
        string valueText = line[valueStart..].Split(' ')[0];
        double value = valueText switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, value);
    }

    // Reads a double-quoted label value starting at the opening quote. Returns it unescaped, with the index after it.
    private static (string Value, int Next) ReadQuoted(string line, int quote)
    {
        var value = new StringBuilder();
        int position = quote + 1;
        while (line[position] != '"')
        {
            if (line[position] == '\\')
            {
                position++;
                value.Append(line[position] == 'n' ? '\n' : line[position]);
            }
            else
            {
                value.Append(line[position]);
            }

            position++;
        }

        return (value.ToString(), position + 1);
    }
}

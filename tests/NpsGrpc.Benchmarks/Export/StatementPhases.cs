namespace NpsGrpc.Benchmarks.Export;

/// <summary>A stretch of an export run during which the samples saw the same PostgreSQL statements running.</summary>
/// <param name="Label">What the statements do, or <see cref="StatementPhases.Idle"/>.</param>
/// <param name="Start">Start of the stretch, from the start of sampling: the time of the sample before its first one.</param>
/// <param name="End">Time of its last sample.</param>
/// <param name="Cpu">CPU time used during the stretch.</param>
public sealed record StatementPhase(string Label, TimeSpan Start, TimeSpan End, CpuTime Cpu)
{
    /// <summary>Length of the stretch.</summary>
    public TimeSpan Duration => End - Start;
}

/// <summary>Turns the statement samples of an export run into a time line of phases.</summary>
public static class StatementPhases
{
    /// <summary>Label of the samples that saw no statement running in the database.</summary>
    public const string Idle = "no statement running: .NET work such as Parquet encoding and file moves, or waiting";

    private const string AttributeKeys = "attribute keys: SELECT DISTINCT over jsonb_object_keys of the selected rows";

    /// <summary>Label of the export's fact statement, the binary COPY of the selected rows.</summary>
    public const string FactRows = "fact rows: binary COPY of the selected rows";

    private const string Customers = "customers: SELECT DISTINCT customer_id of the selected rows";

    /// <summary>
    /// Merges consecutive samples that saw the same statements into one phase each, in time order. When a sample saw
    /// one of the export's long statements, the short ones beside it (such as the benchmark's own GetExportRun calls)
    /// are left out of its label, so that they do not split a long phase.
    /// </summary>
    public static IReadOnlyList<StatementPhase> Summarize(IReadOnlyList<StatementSample> samples)
    {
        var phases = new List<StatementPhase>();
        var cpuBefore = default(CpuTime);
        var cpuAtPhaseStart = default(CpuTime);
        foreach (var sample in samples)
        {
            string label = SampleLabel(sample.Statements);
            if (phases.Count > 0 && phases[^1].Label == label)
            {
                phases[^1] = phases[^1] with { End = sample.Elapsed, Cpu = sample.Cpu - cpuAtPhaseStart };
            }
            else
            {
                cpuAtPhaseStart = cpuBefore;
                phases.Add(new StatementPhase(
                    label, sample.Elapsed - sample.Interval, sample.Elapsed, sample.Cpu - cpuAtPhaseStart));
            }

            cpuBefore = sample.Cpu;
        }

        return phases;
    }

    /// <summary>Names the export's long statements (see ExportSource) and shortens any other to its first words.</summary>
    public static string Label(string statement)
    {
        string text = string.Join(
            ' ', statement.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        if (text.Contains("jsonb_object_keys", StringComparison.Ordinal))
        {
            return AttributeKeys;
        }

        if (text.StartsWith("COPY (SELECT survey_id, response_id", StringComparison.Ordinal))
        {
            return FactRows;
        }

        if (text.StartsWith("WITH ids AS (SELECT DISTINCT customer_id", StringComparison.Ordinal))
        {
            return Customers;
        }

        return text.Length <= 70 ? text : text[..70] + "...";
    }

    private static string SampleLabel(IReadOnlyList<string> statements)
    {
        if (statements.Count == 0)
        {
            return Idle;
        }

        var labels = statements.Select(Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var longLabels = labels.Where(label => label is AttributeKeys or FactRows or Customers).ToList();
        return string.Join(" + ", longLabels.Count > 0 ? longLabels : labels);
    }
}

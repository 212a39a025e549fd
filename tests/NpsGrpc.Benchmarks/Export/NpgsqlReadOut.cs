using System.Diagnostics;
using Npgsql;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>Figures of the in-process read of the export's fact COPY.</summary>
/// <param name="Elapsed">Wall time from starting the COPY to its end.</param>
/// <param name="Rows">Rows read.</param>
/// <param name="Cpu">CPU time of this process, PostgreSQL and other processes.</param>
public sealed record NpgsqlReadOutResult(TimeSpan Elapsed, long Rows, CpuTime Cpu);

/// <summary>
/// Runs the export's own fact statement (ExportSource.OpenResponsesAsync) in this process and decodes every value as
/// the export's reader does, without buffering or writing anything. Its time, compared with the fact phase of the
/// export run, separates reading and decoding from buffering and Parquet encoding.
/// </summary>
public static class NpgsqlReadOut
{
    /// <summary>Reads the rows of <paramref name="surveyId"/> with a load sequence at or below <paramref name="highMark"/>.</summary>
    public static async Task<NpgsqlReadOutResult> RunAsync(
        BenchmarkDatabase database, string surveyId, long highMark, CpuMeter meter, CancellationToken cancellationToken)
    {
        // The first run of a target reads the load sequence range above -1, its watermark before any run.
        var selection = new ResponseSelection([surveyId], -1, highMark);
        await using var connection = await database.OpenAsync(cancellationToken);
        var cpuBefore = meter.Read();
        var stopwatch = Stopwatch.StartNew();
        long rows = 0;
        await using (var copy = await ExportSource.OpenResponsesAsync(
            connection, selection, ExportSettings.AttributeKeys, cancellationToken))
        {
            // Synchronous reads on this thread, as the export's reader thread does them.
            await Task.Factory.StartNew(
                () => rows = Decode(copy, ExportSource.ReadsSurveyId(selection), ExportSettings.AttributeKeys.Length),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        var elapsed = stopwatch.Elapsed;
        return new NpgsqlReadOutResult(elapsed, rows, meter.Read() - cpuBefore);
    }

    private static long Decode(BinaryCopyReader copy, bool readsSurveyId, int attributeCount)
    {
        // The same caches as the export's reader, so that this read allocates what the export's does.
        var surveys = new TextCache();
        var attributeValues = Enumerable.Range(0, attributeCount).Select(_ => new TextCache()).ToArray();
        long rows = 0;
        long checksum = 0;
        while (copy.NextRow())
        {
            checksum += copy.ReadTimestamp().Ticks;
            checksum += copy.ReadTimestamp().Ticks;
            checksum += copy.ReadInt16();
            checksum += (long)(copy.ReadNullableDouble() ?? 1);
            if (readsSurveyId)
            {
                checksum += copy.ReadRequiredText(surveys).Length;
            }

            // The response id, customer id and comment stay UTF-8 bytes, which the export copies without decoding.
            for (int index = 0; index < 3; index++)
            {
                checksum += copy.ReadBytes(out var bytes) ? bytes.Length : 0;
            }

            for (int index = 0; index < attributeCount; index++)
            {
                checksum += copy.ReadText(attributeValues[index])?.Length ?? 0;
            }

            rows++;
        }

        // Keeps the decoded values observable, so that the JIT compiler cannot drop the reads.
        GC.KeepAlive(checksum);
        return rows;
    }
}

using NpsGrpc.Exports.Destinations;
using NpsGrpc.Exports.Layout;
using NpsGrpc.Exports.Parquet;

namespace NpsGrpc.Exports.Runs;

/// <summary>Creates the files of one attempt of a run in its staging folder and names them; thread-safe.</summary>
public sealed class RunFiles(IExportDestination destination, long runId, int attempt)
{
    private int _sequence = -1;

    /// <summary>The destination.</summary>
    public IExportDestination Destination => destination;

    /// <summary>The run.</summary>
    public long RunId => runId;

    /// <summary>Starts a new file of <paramref name="table"/>, in <paramref name="partition"/> for partitioned tables.</summary>
    public Task<PartFileWriter> CreateAsync(
        string table, DateOnly? partition, IReadOnlyList<ColumnSpec> columns, CancellationToken cancellationToken)
    {
        int sequence = Interlocked.Increment(ref _sequence);
        string finalPath = ExportTables.FilePath(table, partition, runId, attempt, sequence);

        // Staged files lie side by side, named by table and final file name, which is unique within the attempt. A
        // copy of the partition folders would cost a folder to create and delete per date, and ext4 passes over
        // recently freed inodes when it allocates one, which made creating files after such deletions slow.
        string stagingPath = $"{ExportTables.StagingPath(runId, attempt)}/{table}-{Path.GetFileName(finalPath)}";
        return PartFileWriter.CreateAsync(destination.CreateStaged(stagingPath), columns, table, partition, stagingPath, finalPath, cancellationToken);
    }

    /// <summary>Writes <paramref name="rows"/> as a whole file with one row group, or none when it is empty.</summary>
    public async Task<StagedFile> WriteSingleAsync(string table, DateOnly? partition, RowBuffer rows, CancellationToken cancellationToken)
    {
        await using var file = await CreateAsync(table, partition, rows.Columns, cancellationToken);
        if (rows.Count > 0)
        {
            await file.WriteRowGroupAsync(rows, cancellationToken);
        }

        return await file.CompleteAsync();
    }
}

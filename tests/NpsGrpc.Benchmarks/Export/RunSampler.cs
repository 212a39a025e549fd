using System.Diagnostics;
using Npgsql;

namespace NpsGrpc.Benchmarks.Export;

/// <summary>Memory of this process at one moment of the export run.</summary>
/// <param name="Elapsed">Time since sampling started.</param>
/// <param name="WorkingSet">Process.WorkingSet64 after Refresh, in bytes: resident memory, managed and native.</param>
/// <param name="ManagedHeap">GC.GetTotalMemory(false), in bytes: managed objects, including garbage not yet collected.</param>
public readonly record struct MemorySample(TimeSpan Elapsed, long WorkingSet, long ManagedHeap);

/// <summary>The statements active in the benchmark database at one moment of the export run.</summary>
/// <param name="Elapsed">Time since sampling started.</param>
/// <param name="Interval">Time since the previous sample, which this sample stands for.</param>
/// <param name="Statements">Start of the text of each statement that a client backend was running.</param>
/// <param name="Cpu">CPU time used since sampling started.</param>
public sealed record StatementSample(TimeSpan Elapsed, TimeSpan Interval, IReadOnlyList<string> Statements, CpuTime Cpu);

/// <summary>
/// Samples this process's memory, the statements active in the benchmark database and the CPU time used, at a fixed
/// interval while an export runs, on a connection of its own. The statements show which phase of the run PostgreSQL is
/// busy with.
/// </summary>
public sealed class RunSampler : IAsyncDisposable
{
    private const string ActiveStatementsSql =
        "SELECT left(query, 200) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' " +
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()";

    private readonly NpgsqlConnection _connection;
    private readonly CpuMeter _meter;
    private readonly CpuTime _cpuAtStart;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly List<MemorySample> _memory = [];
    private readonly List<StatementSample> _statements = [];
    private Task? _loop;

    private RunSampler(NpgsqlConnection connection, CpuMeter meter)
    {
        _connection = connection;
        _meter = meter;
        _cpuAtStart = meter.Read();
    }

    /// <summary>Memory samples; the first one is taken before <see cref="StartAsync"/> returns.</summary>
    public IReadOnlyList<MemorySample> Memory => _memory;

    /// <summary>Statement samples.</summary>
    public IReadOnlyList<StatementSample> Statements => _statements;

    /// <summary>Takes the baseline sample and starts sampling every <paramref name="interval"/>.</summary>
    public static async Task<RunSampler> StartAsync(
        BenchmarkDatabase database, CpuMeter meter, TimeSpan interval, CancellationToken cancellationToken)
    {
        var sampler = new RunSampler(await database.OpenAsync(cancellationToken), meter);
        using var process = Process.GetCurrentProcess();
        sampler._memory.Add(SampleMemory(process, TimeSpan.Zero));
        sampler._loop = sampler.LoopAsync(interval);
        return sampler;
    }

    /// <summary>Takes a last sample and stops sampling.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        using var process = Process.GetCurrentProcess();
        _memory.Add(SampleMemory(process, _elapsed.Elapsed));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var process = Process.GetCurrentProcess();
        using var timer = new PeriodicTimer(interval);
        var previous = TimeSpan.Zero;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = _elapsed.Elapsed;
                _memory.Add(SampleMemory(process, now));
                var statements = new List<string>();
                await using (var command = new NpgsqlCommand(ActiveStatementsSql, _connection))
                await using (var reader = await command.ExecuteReaderAsync(_stop.Token))
                {
                    while (await reader.ReadAsync(_stop.Token))
                    {
                        statements.Add(reader.IsDBNull(0) ? string.Empty : reader.GetString(0));
                    }
                }

                _statements.Add(new StatementSample(now, now - previous, statements, _meter.Read() - _cpuAtStart));
                previous = now;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // StopAsync ended the loop.
        }
    }

    private static MemorySample SampleMemory(Process process, TimeSpan elapsed)
    {
        process.Refresh();
        return new MemorySample(elapsed, process.WorkingSet64, GC.GetTotalMemory(false));
    }
}

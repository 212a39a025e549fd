using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace NpsGrpc.Benchmarks;

/// <summary>CPU time, in seconds, of the parts of a run.</summary>
/// <param name="Process">This process: the gRPC client and the in-process server.</param>
/// <param name="Children">Child processes of this process that ended, such as psql.</param>
/// <param name="PostgreSql">The PostgreSQL postmaster and all its processes, or NaN when /proc is unreadable.</param>
/// <param name="Machine">All processes on the machine (busy time in /proc/stat), or NaN when unreadable.</param>
/// <param name="Steal">
/// Time the virtual machine's host gave to other guests while this one had work (steal in /proc/stat), or NaN when
/// unreadable. It is not part of <paramref name="Machine"/>.
/// </param>
public readonly record struct CpuTime(double Process, double Children, double PostgreSql, double Machine, double Steal = 0)
{
    /// <summary>CPU time of processes that are not part of the benchmark, such as a concurrent build.</summary>
    public double Other => Machine - Process - Children - PostgreSql;

    /// <summary>Difference from an earlier reading.</summary>
    public static CpuTime operator -(CpuTime after, CpuTime before) => new(
        after.Process - before.Process,
        after.Children - before.Children,
        after.PostgreSql - before.PostgreSql,
        after.Machine - before.Machine,
        after.Steal - before.Steal);
}

/// <summary>
/// Reads CPU time from Linux's /proc. PostgreSQL's share is the postmaster's own time, the time of its ended children
/// (which the postmaster collects) and the time of its live children, so backends that end during a run still count.
/// </summary>
public sealed class CpuMeter(int postmasterProcessId)
{
    private const int ScClockTicks = 2;

    private static readonly double ClockTicksPerSecond = ReadClockTicksPerSecond();

    /// <summary>Finds the postmaster as the parent of a backend process, such as that of pg_backend_pid().</summary>
    public static CpuMeter ForBackend(int backendProcessId) =>
        new(ReadStat(backendProcessId) is { } stat ? (int)stat.ParentId : -1);

    /// <summary>Takes a reading.</summary>
    public CpuTime Read()
    {
        using var self = Process.GetCurrentProcess();
        double children = ReadStat(Environment.ProcessId) is { } own ? Seconds(own.ChildrenTicks) : double.NaN;
        (double machine, double steal) = ReadMachineSeconds();
        return new CpuTime(self.TotalProcessorTime.TotalSeconds, children, ReadPostgreSqlSeconds(), machine, steal);
    }

    /// <summary>
    /// Reads the first line of /proc/stat: the sum of the busy fields user, nice, system, irq and softirq (guest time
    /// is already part of user time), and steal apart. Steal is CPU the host withheld, not work of this machine.
    /// </summary>
    private static (double Machine, double Steal) ReadMachineSeconds()
    {
        string? line = File.Exists("/proc/stat") ? File.ReadLines("/proc/stat").FirstOrDefault() : null;
        if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
        {
            return (double.NaN, double.NaN);
        }

        long[] fields = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(field => long.Parse(field, CultureInfo.InvariantCulture))
            .ToArray();
        return (Seconds(fields[0] + fields[1] + fields[2] + fields[5] + fields[6]), Seconds(fields[7]));
    }

    private double ReadPostgreSqlSeconds()
    {
        if (ReadStat(postmasterProcessId) is not { } postmaster)
        {
            return double.NaN;
        }

        long ticks = postmaster.OwnTicks + postmaster.ChildrenTicks;
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out int processId)
                && ReadStat(processId) is { } stat
                && stat.ParentId == postmasterProcessId)
            {
                ticks += stat.OwnTicks;
            }
        }

        return Seconds(ticks);
    }

    private static double Seconds(long ticks) => ticks / ClockTicksPerSecond;

    /// <summary>Reads parent id, utime + stime and cutime + cstime from /proc/PID/stat (proc(5)).</summary>
    private static (long ParentId, long OwnTicks, long ChildrenTicks)? ReadStat(int processId)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{processId}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name in field 2 is in parentheses and may contain spaces. Fields 3 and later follow the last ')'.
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return (Field(4), Field(14) + Field(15), Field(16) + Field(17));
    }

    private static double ReadClockTicksPerSecond()
    {
        try
        {
            long ticks = SystemConfiguration(ScClockTicks);
            return ticks > 0 ? ticks : 100;
        }
        catch (DllNotFoundException)
        {
            return 100;
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SystemConfiguration(int name);
}

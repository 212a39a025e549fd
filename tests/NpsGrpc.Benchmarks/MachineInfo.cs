using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace NpsGrpc.Benchmarks;

/// <summary>The machine and build a benchmark ran on, as printed with its figures.</summary>
/// <param name="CpuModel">"model name" from /proc/cpuinfo, or "unknown".</param>
/// <param name="Cores">Logical processors available to this process.</param>
/// <param name="MemoryGiB">Physical memory from /proc/meminfo in GiB, or NaN when unknown.</param>
/// <param name="OperatingSystem">Operating system description.</param>
/// <param name="Runtime">.NET runtime description.</param>
/// <param name="IsOptimized">Whether the server and benchmark assemblies were built optimized (Release).</param>
public sealed record MachineInfo(
    string CpuModel, int Cores, double MemoryGiB, string OperatingSystem, string Runtime, bool IsOptimized)
{
    /// <summary>Reads the description of this machine and build.</summary>
    public static MachineInfo Read() => new(
        ReadCpuModel(),
        Environment.ProcessorCount,
        ReadMemoryGiB(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        IsOptimizedBuild(typeof(MachineInfo).Assembly)
            && IsOptimizedBuild(typeof(Server.Hosting.NpsServerApp).Assembly));

    private static string ReadCpuModel()
    {
        string? line = FindLine("/proc/cpuinfo", "model name");
        return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
    }

    private static double ReadMemoryGiB()
    {
        // /proc/meminfo reports "MemTotal:       24576000 kB".
        string? line = FindLine("/proc/meminfo", "MemTotal:");
        string[] parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (parts.Length >= 2 && long.TryParse(parts[1], out long kibibytes))
        {
            return kibibytes / 1024.0 / 1024.0;
        }

        return double.NaN;
    }

    private static string? FindLine(string path, string prefix) =>
        File.Exists(path)
            ? File.ReadLines(path).FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal))
            : null;

    private static bool IsOptimizedBuild(Assembly assembly) =>
        assembly.GetCustomAttribute<DebuggableAttribute>() is not { IsJITOptimizerDisabled: true };
}

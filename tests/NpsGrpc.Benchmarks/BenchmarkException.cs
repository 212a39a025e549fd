namespace NpsGrpc.Benchmarks;

/// <summary>A benchmark that cannot run or whose result is wrong; the message says which and what to do.</summary>
public sealed class BenchmarkException(string message) : Exception(message);

namespace NpsGrpc.Cli;

/// <summary>
/// A usage error found after parsing, such as a column missing from the CSV header; the command exits with
/// <see cref="ExitCodes.Usage"/>.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);

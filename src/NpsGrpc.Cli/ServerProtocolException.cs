namespace NpsGrpc.Cli;

/// <summary>
/// The server broke the API contract, for example by returning a result for a batch that was never sent, so the
/// command exits with <see cref="ExitCodes.ServerFailure"/>.
/// </summary>
internal sealed class ServerProtocolException(string message) : Exception(message);

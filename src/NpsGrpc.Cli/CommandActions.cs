using System.CommandLine;
using Grpc.Core;

namespace NpsGrpc.Cli;

/// <summary>Attaches command actions that turn usage and gRPC errors into messages and exit codes.</summary>
internal static class CommandActions
{
    /// <summary>
    /// Sets <paramref name="action"/> as the action of <paramref name="command"/>. A <see cref="UsageException"/>
    /// exits with <see cref="ExitCodes.Usage"/> and an <see cref="RpcException"/> with
    /// <see cref="ExitCodes.ServerFailure"/>, each with a one-line message on stderr and no stack trace.
    /// </summary>
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await action(parseResult, cancellationToken);
            }
            catch (UsageException exception)
            {
                await Console.Error.WriteLineAsync($"error: {exception.Message}");
                return ExitCodes.Usage;
            }
            catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync(
                    RpcErrorText.Describe(exception, ServerConnection.ServerAddress(parseResult)));
                return ExitCodes.ServerFailure;
            }
            catch (ServerProtocolException exception)
            {
                await Console.Error.WriteLineAsync($"error: {exception.Message}");
                return ExitCodes.ServerFailure;
            }
        });
    }
}

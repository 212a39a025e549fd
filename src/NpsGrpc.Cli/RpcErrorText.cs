using System.Security.Authentication;
using Google.Rpc;
using Grpc.Core;

namespace NpsGrpc.Cli;

/// <summary>Formats a gRPC error for people: the status code, the server's message and the field violations.</summary>
internal static class RpcErrorText
{
    /// <summary>
    /// Returns a message of one or more lines, starting with "error:", for <paramref name="exception"/>.
    /// </summary>
    public static string Describe(RpcException exception, string serverAddress)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"error: the server at {serverAddress} returned {exception.StatusCode}: {exception.Status.Detail}");
        if (exception.Status.DebugException is { } cause)
        {
            // The client-side cause, such as "Connection refused (127.0.0.1:50051)" when nothing listens.
            text.Append($" ({cause.GetBaseException().Message})");
        }

        if (exception.GetRpcStatus()?.GetDetail<BadRequest>() is { } badRequest)
        {
            foreach (var violation in badRequest.FieldViolations)
            {
                text.Append($"\n  field {violation.Field}: {violation.Description}");
            }
        }

        // A status the client made up from a failed connection carries the client-side exception. A status the
        // server sent carries none.
        var clientCause = exception.Status.DebugException?.GetBaseException();
        if (clientCause is AuthenticationException)
        {
            text.Append(
                $"\nThe server's TLS certificate was not accepted. Pass --ca-file FILE (or set ${ServerConnection.CaFileVariable}) " +
                "with the certificate or the CA that signed it, and check that the host name in --server is a name " +
                "the certificate holds.");
            return text.ToString();
        }

        switch (exception.StatusCode)
        {
            case StatusCode.Unavailable when clientCause is null:
                text.Append("\nThe server is running but cannot serve the call now, for example while its database is " +
                    "down; run the command again later.");
                break;
            case StatusCode.Unavailable:
                text.Append(
                    $"\nCheck that the server is running at {serverAddress}, or pass --server URL " +
                    $"(or set ${ServerConnection.ServerVariable}).");
                if (serverAddress.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                {
                    text.Append(" If the server uses TLS, give an https:// address.");
                }

                break;
            case StatusCode.Unauthenticated:
                text.Append(
                    $"\nPass an API key with --api-key KEY or set ${ServerConnection.ApiKeyVariable}; " +
                    "'nps keys create --help' shows how an administrator creates one.");
                break;
            case StatusCode.PermissionDenied:
                text.Append("\nAsk an administrator for a key with the scope or surveys the message names.");
                break;
            case StatusCode.DeadlineExceeded or StatusCode.Cancelled:
                text.Append("\nThe call did not finish; run the command again.");
                break;
        }

        return text.ToString();
    }
}

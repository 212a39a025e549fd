using System.CommandLine;
using Grpc.Net.Client;

namespace NpsGrpc.Cli;

/// <summary>The global --server option and the gRPC channel built from it.</summary>
internal static class ServerConnection
{
    /// <summary>Environment variable that sets the default server address.</summary>
    public const string ServerVariable = "NPS_SERVER";

    /// <summary>Server address used when neither --server nor NPS_SERVER is given.</summary>
    public const string DefaultServer = "http://127.0.0.1:50051";

    // GetNps responses grow with the number of groups, so the gRPC default limit of 4 MiB can be too small for a
    // grouping by an attribute with many values.
    private const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    /// <summary>The --server option, available on every command.</summary>
    public static readonly Option<string> ServerOption = CreateServerOption();

    /// <summary>Opens a channel to the server named by --server.</summary>
    public static GrpcChannel OpenChannel(ParseResult parseResult) =>
        GrpcChannel.ForAddress(
            ServerAddress(parseResult),
            new GrpcChannelOptions { MaxReceiveMessageSize = MaxReceiveMessageBytes });

    /// <summary>Returns the server address given by --server, NPS_SERVER or the default.</summary>
    public static string ServerAddress(ParseResult parseResult) =>
        parseResult.GetValue(ServerOption) ?? DefaultServer;

    private static Option<string> CreateServerOption()
    {
        var option = new Option<string>("--server")
        {
            Description = "Address of the NpsGrpc server, http:// or https://. " +
                $"Default: ${ServerVariable}, else {DefaultServer}.",
            HelpName = "URL",
            Recursive = true,
            DefaultValueFactory = _ =>
                Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } fromEnvironment
                    ? fromEnvironment
                    : DefaultServer,
        };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                string source = result.Implicit ? $" (from ${ServerVariable})" : "";
                result.AddError(
                    $"Server address '{value}'{source} is invalid; give an absolute http:// or https:// URL.");
            }
        });
        return option;
    }
}

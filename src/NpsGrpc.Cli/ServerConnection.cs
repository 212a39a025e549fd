using System.CommandLine;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace NpsGrpc.Cli;

/// <summary>The global --server, --api-key and --ca-file options and the gRPC channel built from them.</summary>
internal static class ServerConnection
{
    /// <summary>Environment variable that sets the default server address.</summary>
    public const string ServerVariable = "NPS_SERVER";

    /// <summary>Environment variable that sets the default API key.</summary>
    public const string ApiKeyVariable = "NPS_API_KEY";

    /// <summary>Environment variable that sets the default certificate file to trust.</summary>
    public const string CaFileVariable = "NPS_CA_FILE";

    /// <summary>Server address used when neither --server nor NPS_SERVER is given.</summary>
    public const string DefaultServer = "http://127.0.0.1:50051";

    // GetNps responses grow with the number of groups, so the gRPC default limit of 4 MiB can be too small for a
    // grouping by an attribute with many values.
    private const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    /// <summary>The --server option, available on every command.</summary>
    public static readonly Option<string> ServerOption = CreateServerOption();

    /// <summary>The --api-key option, available on every command.</summary>
    public static readonly Option<string?> ApiKeyOption = new("--api-key")
    {
        Description = $"API key sent as 'authorization: Bearer KEY' on every call. Default: ${ApiKeyVariable}. " +
            $"Prefer ${ApiKeyVariable}, because other users of the machine can read command lines.",
        HelpName = "KEY",
        Recursive = true,

        // No DefaultValueFactory: help output prints an option's default value, and this one is a secret.
    };

    /// <summary>The --ca-file option, available on every command.</summary>
    public static readonly Option<FileInfo?> CaFileOption = new("--ca-file")
    {
        Description = "PEM or DER certificate file to trust for an https:// server, in addition to the system's " +
            $"trusted roots: a CA certificate or the server's self-signed certificate. Default: ${CaFileVariable}.",
        HelpName = "PATH",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(CaFileVariable) is { Length: > 0 } path
            ? new FileInfo(path)
            : null,
    };

    /// <summary>Opens a channel to the server named by --server, with the key and trusted certificates given.</summary>
    /// <exception cref="UsageException">The certificate file cannot be read.</exception>
    public static GrpcChannel OpenChannel(ParseResult parseResult)
    {
        HttpMessageHandler handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (parseResult.GetValue(CaFileOption) is { } caFile)
        {
            handler = TrustingHandler(LoadCertificates(caFile));
        }

        string? apiKey = parseResult.GetValue(ApiKeyOption);
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            apiKey = Environment.GetEnvironmentVariable(ApiKeyVariable);
        }

        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            // A handler rather than CallCredentials, because gRPC call credentials are dropped on http:// channels,
            // and the server listens on plain-text loopback HTTP/2 by default.
            handler = new BearerKeyHandler(apiKey.Trim()) { InnerHandler = handler };
            WarnIfPlainTextRemote(ServerAddress(parseResult));
        }

        var options = new GrpcChannelOptions { MaxReceiveMessageSize = MaxReceiveMessageBytes, HttpHandler = handler };
        return GrpcChannel.ForAddress(ServerAddress(parseResult), options);
    }

    /// <summary>Returns the server address given by --server, NPS_SERVER or the default.</summary>
    public static string ServerAddress(ParseResult parseResult) =>
        parseResult.GetValue(ServerOption) ?? DefaultServer;

    /// <summary>Warns on stderr when the key would cross a network unencrypted: http:// to a host other than loopback.</summary>
    private static void WarnIfPlainTextRemote(string address)
    {
        var uri = new Uri(address);
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            Console.Error.WriteLine(
                $"warning: sending the API key unencrypted to {uri.Host}; use an https:// server address.");
        }
    }

    private static X509Certificate2Collection LoadCertificates(FileInfo file)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            string text = File.ReadAllText(file.FullName);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                certificates.ImportFromPem(text);
            }
            else
            {
                certificates.Add(X509CertificateLoader.LoadCertificateFromFile(file.FullName));
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException
            or System.Security.Cryptography.CryptographicException)
        {
            throw new UsageException($"Cannot read the certificate file {file.FullName}: {exception.Message}");
        }

        if (certificates.Count == 0)
        {
            throw new UsageException($"The certificate file {file.FullName} contains no certificate.");
        }

        return certificates;
    }

    /// <summary>
    /// A handler that accepts a server certificate chaining to one of <paramref name="trusted"/> or to the system's
    /// roots, with the host name checked as usual.
    /// </summary>
    private static SocketsHttpHandler TrustingHandler(X509Certificate2Collection trusted) => new()
    {
        EnableMultipleHttp2Connections = true,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                // A name mismatch or a missing certificate is never accepted, whatever the chain.
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            },
        },
    };

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

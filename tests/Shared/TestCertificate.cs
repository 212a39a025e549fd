using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NpsGrpc.Testing;

/// <summary>
/// A self-signed server certificate for 127.0.0.1 and localhost, generated for one test and written to a temporary
/// folder as a password-protected PFX (for Kestrel) and a PEM certificate (for clients to trust).
/// </summary>
public sealed class TestCertificate : IDisposable
{
    private readonly string _folder;

    private TestCertificate(string folder, X509Certificate2 certificate, string password)
    {
        _folder = folder;
        Certificate = certificate;
        Password = password;
        PfxPath = Path.Combine(folder, "server.pfx");
        PemPath = Path.Combine(folder, "server.crt");
        File.WriteAllBytes(PfxPath, certificate.Export(X509ContentType.Pfx, password));
        File.WriteAllText(PemPath, certificate.ExportCertificatePem());
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Password of the PFX file.</summary>
    public string Password { get; }

    /// <summary>Path of the PFX file, certificate and private key.</summary>
    public string PfxPath { get; }

    /// <summary>Path of the PEM file, certificate only.</summary>
    public string PemPath { get; }

    /// <summary>Generates an ECDSA P-256 certificate valid from an hour ago for one day.</summary>
    public static TestCertificate Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));

        string folder = Path.Combine(Path.GetTempPath(), $"nps-tls-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return new TestCertificate(folder, certificate, Guid.NewGuid().ToString("N"));
    }

    /// <summary>Server settings for an https endpoint on a free loopback port with this certificate.</summary>
    public Dictionary<string, string?> ServerSettings() => new()
    {
        ["Kestrel:Endpoints:Grpc:Url"] = "https://127.0.0.1:0",
        ["Kestrel:Endpoints:Grpc:Certificate:Path"] = PfxPath,
        ["Kestrel:Endpoints:Grpc:Certificate:Password"] = Password,
    };

    /// <summary>A client handler that trusts this certificate, and no other, as the root of the server's chain.</summary>
    public SocketsHttpHandler TrustingHandler()
    {
        var trusted = X509CertificateLoader.LoadCertificate(Certificate.RawData);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                {
                    if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trusted);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
                },
            },
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

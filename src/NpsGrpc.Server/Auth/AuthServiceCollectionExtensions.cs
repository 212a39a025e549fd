using Grpc.AspNetCore.Server;

namespace NpsGrpc.Server.Auth;

/// <summary>Wires API key authentication.</summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Adds the key validator, the RPC scope table and the interceptor that checks every call, configured from the
    /// Auth section of <paramref name="configuration"/>. Call it after AddGrpc, so that the error interceptor added
    /// there stays outermost and turns database errors of the key check into UNAVAILABLE.
    /// </summary>
    public static IServiceCollection AddNpsAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(new RpcPolicies());
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<ApiKeyInterceptor>();
        services.Configure<GrpcServiceOptions>(grpc => grpc.Interceptors.Add<ApiKeyInterceptor>());
        services.AddHostedService<AuthStartupLog>();
        return services;
    }
}

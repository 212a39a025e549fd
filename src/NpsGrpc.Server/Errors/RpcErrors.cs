using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace NpsGrpc.Server.Errors;

/// <summary>Builds the RpcExceptions the services throw, with google.rpc details where a client can act on them.</summary>
public static class RpcErrors
{
    /// <summary>INVALID_ARGUMENT with a google.rpc.BadRequest naming the field.</summary>
    public static RpcException InvalidArgument(string field, string description) =>
        WithBadRequest(Code.InvalidArgument, field, description);

    /// <summary>RESOURCE_EXHAUSTED with a google.rpc.BadRequest naming the field over its limit.</summary>
    public static RpcException LimitExceeded(string field, string description) =>
        WithBadRequest(Code.ResourceExhausted, field, description);

    /// <summary>NOT_FOUND.</summary>
    public static RpcException NotFound(string message) => new(new Grpc.Core.Status(StatusCode.NotFound, message));

    /// <summary>Throws INVALID_ARGUMENT for <paramref name="field"/>.</summary>
    [DoesNotReturn]
    public static void ThrowInvalidArgument(string field, string description) => throw InvalidArgument(field, description);

    private static RpcException WithBadRequest(Code code, string field, string description)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)code,
            Message = description,
            Details =
            {
                Any.Pack(new BadRequest
                {
                    FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = description } },
                }),
            },
        };
        return status.ToRpcException();
    }
}

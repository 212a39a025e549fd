using System.Reflection;
using Google.Protobuf.Reflection;

namespace NpsGrpc.Server.Errors;

/// <summary>Names of generated enum values as the .proto files spell them, for error messages.</summary>
public static class ProtoNames
{
    /// <summary>
    /// The .proto name of <paramref name="value"/>, such as NPS_CATEGORY_PASSIVE, or its number when the value is not
    /// defined in this server's protos.
    /// </summary>
    public static string Of<T>(T value)
        where T : struct, Enum
    {
        var field = typeof(T).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static);
        return field?.GetCustomAttribute<OriginalNameAttribute>()?.Name
            ?? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

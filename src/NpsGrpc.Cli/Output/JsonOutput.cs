using Google.Protobuf;

namespace NpsGrpc.Cli.Output;

/// <summary>Writes API responses to stdout as indented JSON in the protobuf JSON mapping, unrounded.</summary>
internal static class JsonOutput
{
    private static readonly JsonFormatter Formatter =
        new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());

    /// <summary>Writes <paramref name="message"/>, including fields that have their default value.</summary>
    public static void Write(IMessage message) => Console.WriteLine(Formatter.Format(message));
}

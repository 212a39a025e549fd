namespace NpsGrpc.Exports.Destinations;

/// <summary>Opens the destination a target names.</summary>
public interface IExportDestinationProvider
{
    /// <summary>Opens <paramref name="destination"/>, creating it when missing.</summary>
    IExportDestination Open(string destination);
}

/// <summary>Treats destinations as directories on the server's file system.</summary>
public sealed class DirectoryDestinationProvider : IExportDestinationProvider
{
    /// <inheritdoc />
    public IExportDestination Open(string destination) => new DirectoryDestination(destination);
}

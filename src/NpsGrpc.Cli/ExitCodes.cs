namespace NpsGrpc.Cli;

/// <summary>Process exit codes of the nps command.</summary>
internal static class ExitCodes
{
    /// <summary>Everything succeeded: every row was accepted or was a duplicate.</summary>
    public const int Success = 0;

    /// <summary>The command ran, but some rows were rejected by the server or could not be parsed.</summary>
    public const int RowsFailed = 1;

    /// <summary>
    /// The command line is invalid: an unknown or missing option, a bad value, a missing file or column.
    /// </summary>
    public const int Usage = 2;

    /// <summary>The server is unreachable or returned a gRPC error, or an export run waited for failed or timed out.</summary>
    public const int ServerFailure = 3;
}

using System.CommandLine;
using System.Globalization;
using NpsGrpc.Benchmarks.Export;
using NpsGrpc.Benchmarks.Ingest;
using NpsGrpc.Benchmarks.Load;
using NpsGrpc.Benchmarks.Queries;

// Figures print the same on every machine: 1,234,567 rows/s and 12.34 s.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var root = new RootCommand("NpsGrpc benchmarks. Each command prints its figures; none is a pass/fail test.")
{
    IngestCommand.Create(),
    QueriesCommand.Create(),
    ExportCommand.Create(),
    LoadCommand.Create(),
};

return await root.Parse(args).InvokeAsync();

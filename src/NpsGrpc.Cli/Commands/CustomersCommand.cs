using System.CommandLine;
using Grpc.Core;
using NpsGrpc.Cli.Csv;
using NpsGrpc.Cli.Customers;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps customers' command: upserts customer attributes from a CSV file.</summary>
internal sealed class CustomersCommand
{
    private const int DefaultBatchSize = 1000;

    private readonly Argument<FileInfo> _file = CsvOptions.FileArgument(
        "CSV file with a header row and one or more rows per customer.");

    private readonly Option<string> _customerId = new("--customer-id")
    {
        Description = "Column of the customer id. Rows with a blank id are reported as unparsable.",
        HelpName = "COLUMN",
        Required = true,
    };

    private readonly Option<string[]> _attributes = CreateAttributeOption();

    private readonly Option<int> _batchSize = CsvOptions.BatchSizeOption(DefaultBatchSize);

    /// <summary>Creates the command.</summary>
    public static Command Create() => new CustomersCommand().Build();

    private static Option<string[]> CreateAttributeOption()
    {
        var option = CsvOptions.AttributeOption(
            "Customer attribute KEY read from COLUMN, such as segment=segment; repeatable, at least one. Rows with " +
            "the same customer id add up: the attribute gets every distinct non-blank value of those rows, and " +
            "replaces the values stored for that key. A key with only blank cells keeps its stored values.");
        option.Required = true;
        return option;
    }

    private Command Build()
    {
        var command = new Command(
            "customers",
            "Upsert customer attributes, such as segment or sign-up date, from a CSV file, for grouping NPS by " +
            "customer attribute. Exit codes as for 'nps ingest'.")
        {
            _file, _customerId, _attributes, _batchSize,
        };
        CommandActions.Set(command, RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var mappings = AttributeMapping.ParseAll(parseResult.GetValue(_attributes) ?? []);
        FileInfo fileInfo = parseResult.GetRequiredValue(_file);
        string customerIdColumn = parseResult.GetRequiredValue(_customerId);
        using CsvFile file = CsvFile.Open(fileInfo.FullName);
        var attributeColumns = mappings
            .Select(mapping => (mapping.Key, file.ResolveColumn(mapping.Column, $"--attribute {mapping.Key}=")))
            .ToArray();
        int customerIdIndex = file.ResolveColumn(customerIdColumn, "--customer-id");
        var table = new CustomerTable(customerIdColumn, customerIdIndex, attributeColumns);

        var report = new CustomerReport();
        await ProgressDisplay.RunAsync($"Reading {fileInfo.Name}", file.Length, async reportProgress =>
        {
            await foreach (var row in file.ReadRowsAsync(cancellationToken))
            {
                report.RowsRead++;
                if (table.Add(row) is { } issue)
                {
                    report.AddUnparsable(issue);
                }

                reportProgress(file.Position);
            }

            return true;
        });
        report.Customers = table.Customers.Count;

        using var channel = ServerConnection.OpenChannel(parseResult);
        var uploader = new CustomerUploader(new IngestService.IngestServiceClient(channel));
        try
        {
            await ProgressDisplay.RunAsync("Upserting customers", table.Customers.Count, async reportProgress =>
            {
                int batchSize = parseResult.GetValue(_batchSize);
                await uploader.RunAsync(table, batchSize, report, reportProgress, cancellationToken);
                return true;
            });
        }
        catch (Exception exception) when (exception is RpcException or ServerProtocolException)
        {
            report.Print(Console.Out);
            await Console.Error.WriteLineAsync(
                "The upsert stopped early; the counts above cover the acknowledged batches. Running the same " +
                "command again is safe: it sets the same values.");
            throw;
        }

        report.Print(Console.Out);
        return report.AllStored ? ExitCodes.Success : ExitCodes.RowsFailed;
    }
}

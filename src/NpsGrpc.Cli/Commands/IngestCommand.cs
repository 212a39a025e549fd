using System.CommandLine;
using System.CommandLine.Parsing;
using Grpc.Core;
using NpsGrpc.Cli.Csv;
using NpsGrpc.Cli.Ingest;
using NpsGrpc.Cli.Mapping;
using NpsGrpc.Cli.Output;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Commands;

/// <summary>The 'nps ingest' command: streams survey responses from a CSV file.</summary>
internal sealed class IngestCommand
{
    private const int DefaultBatchSize = 1000;

    private readonly Argument<FileInfo> _file = CsvOptions.FileArgument(
        "CSV file with a header row. Quoted fields may contain commas, doubled quotes and line breaks; a UTF-8 " +
        "byte order mark and CRLF line endings are accepted.");

    private readonly Option<string> _survey = new("--survey")
    {
        Description = "Id of the survey to add the responses to.",
        HelpName = "SURVEY_ID",
        Required = true,
    };

    private readonly Option<string?> _responseId = new("--response-id")
    {
        Description = "Column of the response id. Without it, each row gets a stable id: a hash of its mapped " +
            "values plus the number of identical rows before it, so running the same file again adds nothing.",
        HelpName = "COLUMN",
    };

    private readonly Option<bool> _dedupe = new("--dedupe-identical-rows")
    {
        Description = "Treat rows that are identical in every mapped column as one response (the repeats count " +
            "as duplicates). Only without --response-id.",
    };

    private readonly Option<string?> _customerId = new("--customer-id")
    {
        Description = "Column of the customer id. Required unless --customer-id-from-row is given.",
        HelpName = "COLUMN",
    };

    private readonly Option<bool> _customerIdFromRow = new("--customer-id-from-row")
    {
        Description = "For files without a customer column: use a hash of all cells of the row as the customer " +
            "id (\"row-\" and 24 hex digits), so every distinct row is its own customer.",
    };

    private readonly Option<string> _score = new("--score")
    {
        Description = "Column of the score, an integer from 0 to 10.",
        HelpName = "COLUMN",
        Required = true,
    };

    private readonly Option<string?> _timestamp = new("--timestamp")
    {
        Description = "Column of the time of the response. Required unless --responded-at is given.",
        HelpName = "COLUMN",
    };

    private readonly Option<string?> _timestampFormat = new("--timestamp-format")
    {
        Description = "Format of the --timestamp column as a .NET custom date and time format, such as " +
            "\"M/d/yyyy H:mm:ss\". Default: ISO 8601, such as 2024-03-01T14:30:00Z or 2024-03-01 14:30.",
        HelpName = "FORMAT",
    };

    private readonly Option<string> _timeZone = new("--time-zone")
    {
        Description = "IANA time zone of timestamps without an offset, such as Europe/Berlin.",
        HelpName = "IANA_ID",
        DefaultValueFactory = _ => "UTC",
    };

    private readonly Option<string?> _respondedAt = new("--responded-at")
    {
        Description = "One ISO 8601 instant used as the response time of every row, for files without a " +
            "timestamp column, such as 2022-01-01T00:00:00Z. Without an offset it is read in --time-zone.",
        HelpName = "INSTANT",
    };

    private readonly Option<string?> _comment = new("--comment")
    {
        Description = "Column of the open comment, sent as it is (blank means no comment).",
        HelpName = "COLUMN",
    };

    private readonly Option<string[]> _attributes = CsvOptions.AttributeOption(
        "Response attribute KEY read from COLUMN, such as channel=Channel; repeatable. A blank cell leaves the " +
        "attribute out of that response.");

    private readonly Option<int> _batchSize = CsvOptions.BatchSizeOption(DefaultBatchSize);

    /// <summary>Creates the command.</summary>
    public static Command Create() => new IngestCommand().Build();

    private Command Build()
    {
        var command = new Command(
            "ingest",
            "Ingest survey responses from a CSV file. Prints each rejected or unparsable row with its line number, " +
            "then a summary. Exit code 0 when every row was accepted or a duplicate, 1 when some were rejected or " +
            "unparsable, 2 for usage errors, 3 when the server is unreachable or fails.")
        {
            _file, _survey, _responseId, _dedupe, _customerId, _customerIdFromRow, _score, _timestamp,
            _timestampFormat, _timeZone, _respondedAt, _comment, _attributes, _batchSize,
        };
        command.Validators.Add(Validate);
        CommandActions.Set(command, RunAsync);
        return command;
    }

    private void Validate(CommandResult command)
    {
        bool customerColumn = CsvOptions.IsGiven(command, _customerId);
        bool customerFromRow = CsvOptions.IsGiven(command, _customerIdFromRow);
        if (customerColumn == customerFromRow)
        {
            command.AddError("Give exactly one of --customer-id COLUMN and --customer-id-from-row.");
        }

        bool timestamp = CsvOptions.IsGiven(command, _timestamp);
        if (timestamp == CsvOptions.IsGiven(command, _respondedAt))
        {
            command.AddError("Give exactly one of --timestamp COLUMN and --responded-at INSTANT.");
        }

        if (!timestamp && CsvOptions.IsGiven(command, _timestampFormat))
        {
            command.AddError("--timestamp-format applies only with --timestamp COLUMN.");
        }

        if (CsvOptions.IsGiven(command, _dedupe) && CsvOptions.IsGiven(command, _responseId))
        {
            command.AddError("--dedupe-identical-rows applies only without --response-id, when ids are generated.");
        }
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        ResponseMapping mapping = ReadMapping(parseResult);
        string surveyId = parseResult.GetRequiredValue(_survey);
        FileInfo fileInfo = parseResult.GetRequiredValue(_file);
        using CsvFile file = CsvFile.Open(fileInfo.FullName);
        ResponseColumns columns = ResponseColumns.Resolve(mapping, file);

        using var channel = ServerConnection.OpenChannel(parseResult);
        var ingestor = new ResponseIngestor(new IngestService.IngestServiceClient(channel));
        var report = new IngestReport();
        try
        {
            await ProgressDisplay.RunAsync($"Ingesting {fileInfo.Name}", file.Length, async reportProgress =>
            {
                int batchSize = parseResult.GetValue(_batchSize);
                await ingestor.RunAsync(surveyId, file, columns, batchSize, report, reportProgress, cancellationToken);
                return true;
            });
        }
        catch (Exception exception) when (exception is RpcException or ServerProtocolException)
        {
            if (report.LastAcknowledgedLine == 0)
            {
                await Console.Error.WriteLineAsync("The ingest stopped before the server stored any batch of this file.");
                throw;
            }

            report.Print(Console.Out);
            await Console.Error.WriteLineAsync(
                $"The ingest stopped early; the counts above cover the acknowledged batches, which end at line " +
                $"{report.LastAcknowledgedLine}. Running the same command again is safe: rows already stored " +
                "count as duplicates.");
            throw;
        }

        report.Print(Console.Out);
        return report.AllStored ? ExitCodes.Success : ExitCodes.RowsFailed;
    }

    private ResponseMapping ReadMapping(ParseResult parseResult)
    {
        TimeZoneInfo timeZone = InstantParser.FindTimeZone(parseResult.GetRequiredValue(_timeZone));
        string? format = parseResult.GetValue(_timestampFormat);
        if (format is not null)
        {
            InstantParser.CheckFormat(format);
        }

        DateTime? respondedAt = null;
        if (parseResult.GetValue(_respondedAt) is { } respondedAtText)
        {
            respondedAt = new InstantParser(null, timeZone).TryParse(respondedAtText, out string? error)
                ?? throw new UsageException($"--responded-at {error}.");
        }

        return new ResponseMapping
        {
            ResponseIdColumn = parseResult.GetValue(_responseId),
            CustomerIdColumn = parseResult.GetValue(_customerId),
            CustomerIdFromRow = parseResult.GetValue(_customerIdFromRow),
            ScoreColumn = parseResult.GetRequiredValue(_score),
            TimestampColumn = parseResult.GetValue(_timestamp),
            TimestampParser = new InstantParser(format, timeZone),
            RespondedAt = respondedAt,
            CommentColumn = parseResult.GetValue(_comment),
            Attributes = AttributeMapping.ParseAll(parseResult.GetValue(_attributes) ?? []),
            DedupeIdenticalRows = parseResult.GetValue(_dedupe),
        };
    }
}

using System.Runtime.CompilerServices;
using CsvHelper;

namespace NpsGrpc.Cli.Csv;

/// <summary>
/// A comma-separated file with a header row, read record by record. Handles RFC 4180 quoting (separators, doubled
/// quotes and line breaks inside quoted fields), a UTF-8 byte order mark, and LF, CRLF or mixed line endings.
/// Empty lines are skipped. A record with broken quoting is still returned, with <see cref="CsvRow.Malformation"/>
/// set, so that the caller can report it by line number.
/// </summary>
internal sealed class CsvFile : IDisposable
{
    private readonly CsvReader _reader;

    // The reader reports malformed records from its scanner, keyed by record number (header included), which can
    // run ahead of the record being returned.
    private readonly Dictionary<long, CsvMalformedRecord> _malformed = [];

    private CsvFile(string path, FileStream stream)
    {
        Path = path;
        Length = stream.Length;
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            SkipEmptyLines = true,
            TrimWhitespace = false,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = record => _malformed[record.RecordNumber] = record,
        };
        _reader = CsvReader.Create(stream, options, false);
    }

    /// <summary>Path of the file, as given.</summary>
    public string Path { get; }

    /// <summary>Size of the file in bytes.</summary>
    public long Length { get; }

    /// <summary>Byte offset of the current record, for progress reports.</summary>
    public long Position => _reader.ByteOffset;

    /// <summary>The header names, in column order.</summary>
    public IReadOnlyList<string> Header => _reader.Headers;

    /// <summary>
    /// Opens <paramref name="path"/> and reads its header; throws <see cref="UsageException"/> when it cannot.
    /// </summary>
    public static CsvFile Open(string path)
    {
        FileStream stream;
        try
        {
            // Buffer size 1 turns off the FileStream buffer, because the CSV reader has its own.
            stream = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot open CSV file '{path}': {exception.Message}");
        }

        var file = new CsvFile(path, stream);
        if (file.Header.Count == 0)
        {
            file.Dispose();
            throw new UsageException($"CSV file '{path}' is empty; the first line must be a header row.");
        }

        return file;
    }

    /// <summary>
    /// Returns the index of the column named <paramref name="name"/>: an exact match, else a match ignoring case
    /// and surrounding spaces. Throws <see cref="UsageException"/> naming <paramref name="optionName"/> and the
    /// header when no column matches.
    /// </summary>
    public int ResolveColumn(string name, string optionName)
    {
        if (_reader.TryGetFieldIndex(name, out int index))
        {
            return index;
        }

        string columns = string.Join(", ", Header.Select(header => $"'{header}'"));
        throw new UsageException(
            $"{optionName} names column '{name}', which is not in the header of '{Path}'. The columns are: {columns}.");
    }

    /// <summary>Reads the data records in file order.</summary>
    public async IAsyncEnumerable<CsvRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _reader.ReadAsync(cancellationToken))
        {
            var values = new string[_reader.FieldCount];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = _reader.GetString(i);
            }

            // Record numbers count the header as record 1.
            string? malformation = null;
            if (_malformed.Remove(_reader.RowNumber + 1, out var malformed))
            {
                malformation = Describe(malformed.Reason);
            }

            yield return new CsvRow(_reader.LineNumber, new CsvCells(values), malformation);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote =>
            "a quote character inside an unquoted field; quote the field and double its quotes",
        CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a quoted field",
        CsvMalformedReason.UnterminatedQuote =>
            "a quoted field that is never closed; the record runs to the end of the file",
        _ => $"malformed record ({reason})",
    };
}

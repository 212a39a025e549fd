using System.Text.Json;
using NpsGrpc.Domain.Scoring;
using NpsGrpc.Exports.Layout;
using NpsGrpc.Exports.Parquet;
using NpsGrpc.Storage.Exports;

namespace NpsGrpc.Exports.Runs;

/// <summary>Writes the small tables of a run: the dimensions and the daily NPS files.</summary>
public static class DimensionWriter
{
    /// <summary>Minimum responses for a daily row not to be flagged as a small sample.</summary>
    public const int SmallSampleThreshold = 30;

    /// <summary>Writes the survey dimension.</summary>
    public static Task<StagedFile> WriteSurveysAsync(RunFiles files, IReadOnlyList<SurveyRow> surveys, CancellationToken cancellationToken)
    {
        var rows = new RowBuffer(
        [
            new ColumnSpec("survey_id", ColumnKind.Text),
            new ColumnSpec("display_name", ColumnKind.Text),
            new ColumnSpec("description", ColumnKind.Text),
            new ColumnSpec("created_at", ColumnKind.Timestamp),
        ]);
        foreach (var survey in surveys)
        {
            rows.SetText(0, survey.SurveyId);
            rows.SetText(1, survey.DisplayName);
            rows.SetText(2, survey.Description);
            rows.SetTimestamp(3, DateTime.SpecifyKind(survey.CreateTime, DateTimeKind.Utc));
            rows.EndRow();
        }

        return files.WriteSingleAsync(ExportTables.DimSurvey, null, rows, cancellationToken);
    }

    /// <summary>Writes the date dimension over <paramref name="first"/> to <paramref name="last"/>, without gaps.</summary>
    public static Task<StagedFile> WriteDatesAsync(RunFiles files, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var rows = new RowBuffer(
        [
            new ColumnSpec("date", ColumnKind.Date),
            new ColumnSpec("date_key", ColumnKind.Int32),
            new ColumnSpec("year", ColumnKind.Int32),
            new ColumnSpec("quarter", ColumnKind.Int32),
            new ColumnSpec("quarter_name", ColumnKind.Text, Dictionary: true),
            new ColumnSpec("month", ColumnKind.Int32),
            new ColumnSpec("month_name", ColumnKind.Text, Dictionary: true),
            new ColumnSpec("month_short", ColumnKind.Text, Dictionary: true),
            new ColumnSpec("year_month", ColumnKind.Text, Dictionary: true),
            new ColumnSpec("day_of_month", ColumnKind.Int32),
            new ColumnSpec("day_of_year", ColumnKind.Int32),
            new ColumnSpec("day_of_week", ColumnKind.Int32),
            new ColumnSpec("day_name", ColumnKind.Text, Dictionary: true),
            new ColumnSpec("is_weekend", ColumnKind.Boolean),
            new ColumnSpec("iso_week", ColumnKind.Int32),
            new ColumnSpec("iso_year", ColumnKind.Int32),
            new ColumnSpec("week_start", ColumnKind.Date),
        ]);
        foreach (var day in DateRow.Between(first, last))
        {
            rows.SetDate(0, day.Date);
            rows.SetInt32(1, day.DateKey);
            rows.SetInt32(2, day.Year);
            rows.SetInt32(3, day.Quarter);
            rows.SetText(4, day.QuarterName);
            rows.SetInt32(5, day.Month);
            rows.SetText(6, day.MonthName);
            rows.SetText(7, day.MonthShort);
            rows.SetText(8, day.YearMonth);
            rows.SetInt32(9, day.DayOfMonth);
            rows.SetInt32(10, day.DayOfYear);
            rows.SetInt32(11, day.DayOfWeek);
            rows.SetText(12, day.DayName);
            rows.SetBoolean(13, day.IsWeekend);
            rows.SetInt32(14, day.IsoWeek);
            rows.SetInt32(15, day.IsoYear);
            rows.SetDate(16, day.WeekStart);
            rows.EndRow();
        }

        return files.WriteSingleAsync(ExportTables.DimDate, null, rows, cancellationToken);
    }

    /// <summary>
    /// Writes the customer dimension from <paramref name="customers"/>, a COPY opened by
    /// <see cref="ExportSource.OpenCustomersAsync"/>, row group by row group. The COPY is read with blocking calls, so
    /// call this on a thread of its own.
    /// </summary>
    public static async Task<StagedFile> WriteCustomersAsync(
        RunFiles files, BinaryCopyReader customers, IReadOnlyList<AttributeColumn> attributes, int rowGroupRows,
        CancellationToken cancellationToken)
    {
        var table = await CustomerTable.CreateAsync(files, attributes, rowGroupRows, cancellationToken);
        await using var file = table.File;
        while (customers.NextRow())
        {
            cancellationToken.ThrowIfCancellationRequested();
            table.StartRow(customers.ReadBytes(out var id) ? id : throw new InvalidDataException("A customer id is NULL."));
            if (table.EndRow(customers.ReadNullableTimestamp(), customers.ReadText()))
            {
                await table.WriteRowGroupAsync(cancellationToken);
            }
        }

        return await table.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the customer dimension for the ids of <paramref name="ids"/>: with their data from
    /// <paramref name="upserted"/>, a COPY opened by <see cref="ExportSource.OpenUpsertedCustomersAsync"/>, and without
    /// data for the ids that were never upserted. The COPY is read with blocking calls, so call this on a thread of its
    /// own.
    /// </summary>
    public static async Task<StagedFile> WriteCustomersAsync(
        RunFiles files, CustomerIdSet ids, BinaryCopyReader upserted, IReadOnlyList<AttributeColumn> attributes, int rowGroupRows,
        CancellationToken cancellationToken)
    {
        var table = await CustomerTable.CreateAsync(files, attributes, rowGroupRows, cancellationToken);
        await using var file = table.File;
        while (upserted.NextRow())
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The id's bytes are valid only until the next field is read, so the row starts before that.
            bool listed = ids.TryClaim(upserted.ReadBytes(out var id) ? id : throw new InvalidDataException("A customer id is NULL."));
            if (listed)
            {
                table.StartRow(id);
            }

            var updated = upserted.ReadNullableTimestamp();
            string? json = upserted.ReadText();
            if (listed && table.EndRow(updated, json))
            {
                await table.WriteRowGroupAsync(cancellationToken);
            }
        }

        foreach (var id in ids.Unclaimed())
        {
            cancellationToken.ThrowIfCancellationRequested();
            table.StartRow(id.Span);
            if (table.EndRow(null, null))
            {
                await table.WriteRowGroupAsync(cancellationToken);
            }
        }

        return await table.CompleteAsync(cancellationToken);
    }

    // The customer dimension's file and its current row group.
    private sealed class CustomerTable
    {
        private readonly RowBuffer _rows;
        private readonly TextCache _values = new();
        private readonly IReadOnlyList<AttributeColumn> _attributes;
        private readonly int _rowGroupRows;

        private CustomerTable(PartFileWriter file, ColumnSpec[] columns, IReadOnlyList<AttributeColumn> attributes, int rowGroupRows)
        {
            File = file;
            _rows = new RowBuffer(columns);
            _attributes = attributes;
            _rowGroupRows = rowGroupRows;
        }

        public PartFileWriter File { get; }

        public static async Task<CustomerTable> CreateAsync(
            RunFiles files, IReadOnlyList<AttributeColumn> attributes, int rowGroupRows, CancellationToken cancellationToken)
        {
            ColumnSpec[] columns =
            [
                new ColumnSpec("customer_id", ColumnKind.Text),
                new ColumnSpec("updated_at", ColumnKind.Timestamp, Nullable: true),
                .. attributes.Select(a => new ColumnSpec(a.ColumnName, ColumnKind.Text, Nullable: true, Dictionary: true)),
            ];
            var file = await files.CreateAsync(ExportTables.DimCustomer, null, columns, cancellationToken);
            return new CustomerTable(file, columns, attributes, rowGroupRows);
        }

        // Starts a row with a copy of the id.
        public void StartRow(ReadOnlySpan<byte> id) => _rows.CopyUtf8(0, id);

        // Completes the row that StartRow began and returns whether the row group is full.
        public bool EndRow(DateTime? updated, string? json)
        {
            _rows.SetTimestamp(1, updated);

            // Most customers have no attributes, so the JSON object is parsed only for those that have some.
            var customerAttributes = json is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(json)!;
            for (int i = 0; i < _attributes.Count; i++)
            {
                string? value = customerAttributes?.GetValueOrDefault(_attributes[i].AttributeKey);
                _rows.SetText(2 + i, value is null ? null : _values.Get(value));
            }

            _rows.EndRow();
            return _rows.Count >= _rowGroupRows || _rows.TextLength >= FactTableWriter.RowGroupTextLimit;
        }

        public async Task WriteRowGroupAsync(CancellationToken cancellationToken)
        {
            await File.WriteRowGroupAsync(_rows, cancellationToken);
            _rows.Clear();
        }

        // Writes the last row group and finishes the file. A table without rows gets a file without row groups.
        public async Task<StagedFile> CompleteAsync(CancellationToken cancellationToken)
        {
            if (_rows.Count > 0)
            {
                await File.WriteRowGroupAsync(_rows, cancellationToken);
            }

            _rows.Release();
            return await File.CompleteAsync();
        }
    }

    /// <summary>Writes the daily NPS table, every date of <paramref name="counts"/>, as one file.</summary>
    public static async Task<StagedFile> WriteDailyAsync(
        RunFiles files, IReadOnlyList<DailyCounts> counts, IReadOnlyList<AttributeColumn> segmentColumns, double confidenceLevel,
        CancellationToken cancellationToken)
    {
        ColumnSpec[] columns =
        [
            new ColumnSpec(ExportTables.PartitionColumn, ColumnKind.Date),
            new ColumnSpec("survey_id", ColumnKind.Text, Dictionary: true),
            .. segmentColumns.Select(a => new ColumnSpec(a.ColumnName, ColumnKind.Text, Nullable: true, Dictionary: true)),
            new ColumnSpec("responses", ColumnKind.Int64),
            new ColumnSpec("promoters", ColumnKind.Int64),
            new ColumnSpec("passives", ColumnKind.Int64),
            new ColumnSpec("detractors", ColumnKind.Int64),
            new ColumnSpec("nps", ColumnKind.Double),
            new ColumnSpec("nps_ci_low", ColumnKind.Double),
            new ColumnSpec("nps_ci_high", ColumnKind.Double),
            new ColumnSpec("confidence_level", ColumnKind.Double),
            new ColumnSpec("small_sample", ColumnKind.Boolean),
            new ColumnSpec("weight_sum", ColumnKind.Double),
            new ColumnSpec("promoter_weight", ColumnKind.Double),
            new ColumnSpec("detractor_weight", ColumnKind.Double),
            new ColumnSpec("weight_square_sum", ColumnKind.Double),
        ];
        var rows = new RowBuffer(columns);
        var ordered = counts.OrderBy(r => r.Date).ThenBy(r => r.SurveyId, StringComparer.Ordinal)
            .ThenBy(r => string.Join('\u001f', r.Segment), StringComparer.Ordinal);
        foreach (var row in ordered)
        {
            var estimate = NpsEstimate.Compute(
                new NpsCounts(row.Promoters, row.Passives, row.Detractors), confidenceLevel, IntervalMethod.AdjustedWald);
            int column = 0;
            rows.SetDate(column++, row.Date);
            rows.SetText(column++, row.SurveyId);
            foreach (string? value in row.Segment)
            {
                rows.SetText(column++, value);
            }

            rows.SetInt64(column++, row.Responses);
            rows.SetInt64(column++, row.Promoters);
            rows.SetInt64(column++, row.Passives);
            rows.SetInt64(column++, row.Detractors);
            rows.SetDouble(column++, estimate.Nps ?? double.NaN);
            rows.SetDouble(column++, estimate.Lower ?? double.NaN);
            rows.SetDouble(column++, estimate.Upper ?? double.NaN);
            rows.SetDouble(column++, confidenceLevel);
            rows.SetBoolean(column++, row.Responses < SmallSampleThreshold);
            rows.SetDouble(column++, row.WeightSum);
            rows.SetDouble(column++, row.PromoterWeight);
            rows.SetDouble(column++, row.DetractorWeight);
            rows.SetDouble(column, row.WeightSquareSum);
            rows.EndRow();
        }

        return await files.WriteSingleAsync(ExportTables.DailyNps, null, rows, cancellationToken);
    }
}

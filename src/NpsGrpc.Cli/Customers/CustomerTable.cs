using NpsGrpc.Cli.Csv;
using NpsGrpc.Cli.Ingest;
using NpsGrpc.V1;

namespace NpsGrpc.Cli.Customers;

/// <summary>
/// Customer attributes collected from every row of a CSV file. Rows with the same customer id add up, so each
/// attribute of a customer gets the distinct non-blank values of all its rows, in the order first seen. A user
/// listed once per team segment thus ends up with every segment. Keys must be collected over the whole file
/// before sending, because the server replaces all stored values of each key it is given.
/// </summary>
internal sealed class CustomerTable(
    string customerIdColumn, int customerIdIndex, IReadOnlyList<(string Key, int Column)> attributes)
{
    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly List<Entry> _inFileOrder = [];

    /// <summary>Customers in the order of their first row.</summary>
    public IReadOnlyList<Entry> Customers => _inFileOrder;

    /// <summary>
    /// Adds the values of <paramref name="row"/>, or returns an issue for a row that has no customer id or broken
    /// quoting. Ids and values are trimmed of surrounding whitespace; blank cells add no value.
    /// </summary>
    public RowIssue? Add(CsvRow row)
    {
        if (row.Malformation is { } malformation)
        {
            return new RowIssue(row.LineNumber, RowIssueKind.Unparsable, "record", $"malformed CSV: {malformation}");
        }

        string customerId = row.Cells[customerIdIndex].Trim();
        if (customerId.Length == 0)
        {
            string message = $"customer id in column '{customerIdColumn}' is blank";
            return new RowIssue(row.LineNumber, RowIssueKind.Unparsable, "customer_id", message);
        }

        if (!_byId.TryGetValue(customerId, out var entry))
        {
            entry = new Entry(customerId, row.LineNumber);
            _byId.Add(customerId, entry);
            _inFileOrder.Add(entry);
        }

        foreach ((string key, int column) in attributes)
        {
            string value = row.Cells[column].Trim();
            if (value.Length > 0)
            {
                entry.AddValue(key, value);
            }
        }

        return null;
    }

    /// <summary>One customer and the values collected for it.</summary>
    internal sealed class Entry(string customerId, long firstLine)
    {
        private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

        /// <summary>Customer id.</summary>
        public string CustomerId => customerId;

        /// <summary>CSV line of the customer's first row.</summary>
        public long FirstLine => firstLine;

        /// <summary>Distinct values per key; a key whose cells were all blank is absent.</summary>
        public IReadOnlyDictionary<string, List<string>> Values => _values;

        /// <summary>
        /// Adds <paramref name="value"/> to <paramref name="key"/> unless the key already contains it.
        /// </summary>
        public void AddValue(string key, string value)
        {
            if (!_values.TryGetValue(key, out var values))
            {
                values = [];
                _values.Add(key, values);
            }

            if (!values.Contains(value, StringComparer.Ordinal))
            {
                values.Add(value);
            }
        }

        /// <summary>Builds the upsert message. Keys without values are left out, so their stored values stay.</summary>
        public Customer ToMessage()
        {
            var customer = new Customer { CustomerId = customerId };
            foreach ((string key, List<string> values) in _values)
            {
                var message = new AttributeValues();
                message.Values.AddRange(values);
                customer.Attributes.Add(key, message);
            }

            return customer;
        }
    }
}

using Google.Protobuf.WellKnownTypes;
using NpsGrpc.Testing;
using NpsGrpc.V1;

namespace NpsGrpc.Exports.Tests;

/// <summary>Exports real responses and reads every table back with DuckDB.</summary>
[Collection(ServerCollection.Name)]
public sealed class StarSchemaTests(ServerFixture fixture)
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 27, 10, 0, 0, TimeSpan.Zero);

    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task AllTables_ReadBackInDuckDb()
    {
        string surveyId = await Server.CreateSurveyAsync("star");
        string destination = ExportKit.NewDestination();
        var responses = new List<SurveyResponse>
        {
            // 2026-03-27 (Friday): three responses.
            ExportKit.Response("r1", 10, Day1, "cust-a", "Great service", ("region", "EU"), ("plan", "pro")),
            ExportKit.Response("r2", 6, Day1.AddHours(1), "cust-b", null, ("region", "EU")),
            ExportKit.Response("r3", 8, Day1.AddHours(2), "cust-c", "ok", ("region", "US"), ("plan", "free")),
            // No response on 2026-03-28. 00:30 on 2026-03-29 in Berlin (UTC+1) is 23:30 UTC on 2026-03-28.
            ExportKit.Response("r4", 9, DateTimeOffset.Parse("2026-03-29T00:30:00+01:00"), "cust-a", null, ("region", "EU")),
            // 06:00 in Kolkata (UTC+5:30) is 00:30 UTC on 2026-03-29.
            ExportKit.Response("r5", 3, DateTimeOffset.Parse("2026-03-29T06:00:00+05:30"), "cust-d", "Too slow", ("region", "APAC")),
            ExportKit.Response("r6", 10, DateTimeOffset.Parse("2026-03-30T12:00:00+02:00"), "cust-b", null),
        };
        responses[0].Weight = 2.5;
        await ExportKit.IngestAsync(Server, surveyId, responses);

        var customers = new UpsertCustomersRequest { BatchId = "cb-1" };
        customers.Customers.Add(new Customer { CustomerId = "cust-a", Attributes = { ["tier"] = new AttributeValues { Values = { "gold", "beta" } } } });
        customers.Customers.Add(new Customer { CustomerId = "cust-b", Attributes = { ["tier"] = new AttributeValues { Values = { "silver" } } } });
        using (var call = Server.Ingest.UpsertCustomers())
        {
            await call.RequestStream.WriteAsync(customers);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }

        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId, "Europe/Berlin", segmentKeys: "region");
        var run = await ExportKit.RunAsync(Server, target.TargetId);
        Assert.Equal(6, run.RowsWritten);
        Assert.Equal(1, run.Attempts);

        using var duck = ExportKit.OpenDuckDb();
        string fact = $"read_parquet({ExportKit.FileList(destination, "fact_response")}, union_by_name = true)";

        // Types as DESCRIBE reports them: microsecond UTC timestamps, DATE, signed integers, text.
        var factTypes = ExportKit.Describe(duck, destination, "fact_response");
        Assert.Equal("TIMESTAMP WITH TIME ZONE", factTypes["responded_at"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", factTypes["received_at"]);
        Assert.Equal("DATE", factTypes["response_date"]);
        Assert.Equal("INTEGER", factTypes["score"]);
        Assert.Equal("INTEGER", factTypes["is_promoter"]);
        Assert.Equal("DOUBLE", factTypes["weight"]);
        Assert.Equal("VARCHAR", factTypes["comment"]);
        Assert.Equal("VARCHAR", factTypes["attr_region"]);
        Assert.Equal("VARCHAR", factTypes["attr_plan"]);

        Assert.Equal(6, ExportKit.Scalar(duck, $"SELECT count(*) FROM {fact}"));
        var r4 = ExportKit.Query(duck, $"SELECT epoch_us(responded_at), CAST(response_date AS VARCHAR), category, attr_region, attr_plan, weight FROM {fact} WHERE response_id = 'r4'").Single();
        Assert.Equal(Micros("2026-03-28T23:30:00Z"), Convert.ToInt64(r4[0]));
        Assert.Equal("2026-03-29", r4[1]);
        Assert.Equal("promoter", r4[2]);
        Assert.Equal("EU", r4[3]);
        Assert.Null(r4[4]);
        Assert.Equal(1.0, r4[5]);
        var r5 = ExportKit.Query(duck, $"SELECT epoch_us(responded_at), CAST(response_date AS VARCHAR), is_detractor, comment FROM {fact} WHERE response_id = 'r5'").Single();
        Assert.Equal(Micros("2026-03-29T00:30:00Z"), Convert.ToInt64(r5[0]));
        Assert.Equal("2026-03-29", r5[1]);
        Assert.Equal(1, Convert.ToInt32(r5[2]));
        Assert.Equal("Too slow", r5[3]);
        Assert.Equal(2.5, ExportKit.Query(duck, $"SELECT weight FROM {fact} WHERE response_id = 'r1'").Single()[0]);

        // The partition folder agrees with the column inside every file.
        foreach (string file in ExportKit.TableFiles(destination, "fact_response"))
        {
            string folderDate = Path.GetFileName(Path.GetDirectoryName(file)!)["response_date=".Length..];
            var inside = ExportKit.Query(duck, $"SELECT DISTINCT CAST(response_date AS VARCHAR) FROM read_parquet('{file}')");
            Assert.Equal(folderDate, Assert.Single(inside)[0]);
        }

        Assert.False(Directory.Exists(Path.Combine(destination, "fact_response", "response_date=2026-03-28")));

        // The date dimension has every day from the first to the last date, the empty 28th included.
        string dates = $"read_parquet({ExportKit.FileList(destination, "dim_date")})";
        var dateRows = ExportKit.Query(duck, $"SELECT CAST(date AS VARCHAR), date_key, iso_week, iso_year, day_of_week, day_name, quarter, month_name, is_weekend, CAST(week_start AS VARCHAR) FROM {dates} ORDER BY date");
        Assert.Equal(["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"], dateRows.Select(r => (string)r[0]!));
        Assert.Equal(20260328, Convert.ToInt32(dateRows[1][1]));
        Assert.Equal(13, Convert.ToInt32(dateRows[2][2]));
        Assert.Equal(14, Convert.ToInt32(dateRows[3][2]));
        Assert.Equal(2026, Convert.ToInt32(dateRows[3][3]));
        Assert.Equal(7, Convert.ToInt32(dateRows[2][4]));
        Assert.Equal("Sunday", dateRows[2][5]);
        Assert.Equal(1, Convert.ToInt32(dateRows[0][6]));
        Assert.Equal("March", dateRows[0][7]);
        Assert.Equal(true, dateRows[1][8]);
        Assert.Equal("2026-03-30", dateRows[3][9]);
        Assert.Equal("DATE", ExportKit.Describe(duck, destination, "dim_date")["date"]);

        // Customers with responses, with multi-valued attributes joined.
        string dimCustomer = $"read_parquet({ExportKit.FileList(destination, "dim_customer")})";
        var customerRows = ExportKit.Query(duck, $"SELECT customer_id, attr_tier FROM {dimCustomer} ORDER BY customer_id");
        Assert.Equal(["cust-a", "cust-b", "cust-c", "cust-d"], customerRows.Select(r => (string)r[0]!));
        Assert.Equal("beta | gold", customerRows[0][1]);
        Assert.Equal("silver", customerRows[1][1]);
        Assert.Null(customerRows[2][1]);

        var surveyRow = ExportKit.Query(duck, $"SELECT survey_id, display_name FROM read_parquet({ExportKit.FileList(destination, "dim_survey")})").Single();
        Assert.Equal(surveyId, surveyRow[0]);

        // Every fact key resolves in its dimension.
        Assert.Equal(0, ExportKit.Scalar(duck, $"SELECT count(*) FROM {fact} f ANTI JOIN {dimCustomer} c USING (customer_id)"));
        Assert.Equal(0, ExportKit.Scalar(duck, $"SELECT count(*) FROM {fact} f ANTI JOIN {dates} d ON f.response_date = d.date"));
    }

    [Fact]
    public async Task DailyNps_MatchesQueryApi()
    {
        string surveyId = await Server.CreateSurveyAsync("daily");
        string destination = ExportKit.NewDestination();
        var random = new Random(7);
        string[] regions = ["EU", "US", "APAC"];
        var start = new DateTimeOffset(2026, 10, 23, 0, 0, 0, TimeSpan.Zero);
        var responses = Enumerable.Range(0, 900).Select(i => ExportKit.Response(
                $"d{i}", random.Next(0, 11), start.AddMinutes(random.Next(0, 4 * 24 * 60)), $"cust-{i % 50}", null,
                i % 10 == 0 ? [] : [("region", regions[random.Next(regions.Length)])]))
            .ToList();
        await ExportKit.IngestAsync(Server, surveyId, responses);

        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId, "Europe/Berlin", segmentKeys: "region");
        await ExportKit.RunAsync(Server, target.TargetId);

        using var duck = ExportKit.OpenDuckDb();
        string daily = $"read_parquet({ExportKit.FileList(destination, "daily_nps")})";
        var rows = ExportKit.Query(duck,
            $"SELECT CAST(response_date AS VARCHAR), attr_region, responses, promoters, passives, detractors, nps, nps_ci_low, nps_ci_high, small_sample FROM {daily} ORDER BY 1, 2");
        Assert.Equal(900, rows.Sum(r => Convert.ToInt64(r[2])));
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        foreach (var day in rows.GroupBy(r => (string)r[0]!))
        {
            var date = DateOnly.Parse(day.Key, System.Globalization.CultureInfo.InvariantCulture);
            var request = new GetNpsRequest
            {
                SurveyId = surveyId,
                StartTime = Timestamp.FromDateTime(TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(TimeOnly.MinValue), berlin)),
                EndTime = Timestamp.FromDateTime(TimeZoneInfo.ConvertTimeToUtc(date.AddDays(1).ToDateTime(TimeOnly.MinValue), berlin)),
                IntervalMethod = IntervalMethod.AdjustedWald,
                PageSize = 100,
            };
            request.GroupBy.Add(new AttributeRef { Key = "region", Scope = AttributeScope.Response });
            var api = await Server.Query.GetNpsAsync(request);
            Assert.Equal(api.Groups.Count, day.Count());
            foreach (var group in api.Groups)
            {
                string? region = group.Keys[0].HasValue ? group.Keys[0].Value : null;
                var row = day.Single(r => (string?)r[1] == region);
                var statistics = group.Statistics;
                Assert.Equal(statistics.ResponseCount, Convert.ToInt64(row[2]));
                Assert.Equal(statistics.PromoterCount, Convert.ToInt64(row[3]));
                Assert.Equal(statistics.PassiveCount, Convert.ToInt64(row[4]));
                Assert.Equal(statistics.DetractorCount, Convert.ToInt64(row[5]));
                Assert.Equal(statistics.Nps, (double)row[6]!, 9);
                Assert.Equal(statistics.ConfidenceInterval.Lower, (double)row[7]!, 9);
                Assert.Equal(statistics.ConfidenceInterval.Upper, (double)row[8]!, 9);
                Assert.Equal(statistics.ResponseCount < 30, (bool)row[9]!);
            }
        }
    }

    [Fact]
    public async Task NoComments_AllNullTextColumn()
    {
        string surveyId = await Server.CreateSurveyAsync("nocomment");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, surveyId, Enumerable.Range(0, 20).Select(i => ExportKit.Response($"n{i}", i % 11, Day1.AddMinutes(i))).ToList());
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);

        using var duck = ExportKit.OpenDuckDb();
        Assert.Equal("VARCHAR", ExportKit.Describe(duck, destination, "fact_response")["comment"]);
        var counts = ExportKit.Query(duck, $"SELECT count(*), count(comment) FROM read_parquet({ExportKit.FileList(destination, "fact_response")})").Single();
        Assert.Equal(20L, Convert.ToInt64(counts[0]));
        Assert.Equal(0L, Convert.ToInt64(counts[1]));
    }

    [Fact]
    public async Task TextValues_RoundTripExactly()
    {
        string surveyId = await Server.CreateSurveyAsync("text");
        string destination = ExportKit.NewDestination();

        // A comment as long as the server accepts, in three scripts and with a character outside the BMP. Many short
        // comments follow it, so text blocks fill up and new ones start in the middle of a row group.
        string unit = "Отличный сервис, とても良い 👍 ";
        string longest = string.Concat(Enumerable.Repeat(unit, 8000 / unit.Length));
        var comments = new Dictionary<string, string?>
        {
            ["t-long"] = longest,
            ["t-empty"] = string.Empty,
            ["t-null"] = null,
            ["t-ascii"] = "plain",
        };
        for (int i = 0; i < 3000; i++)
        {
            comments[$"t-{i}"] = $"コメント {i} " + new string('x', i % 40);
        }

        var responses = comments.Select((pair, index) => ExportKit.Response(
            pair.Key, index % 11, Day1.AddSeconds(index), $"顧客-{index % 13}", pair.Value, ("region", index % 2 == 0 ? "Ευρώπη" : "EU"))).ToList();
        await ExportKit.IngestAsync(Server, surveyId, responses);
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);

        using var duck = ExportKit.OpenDuckDb();
        var rows = ExportKit.Query(
            duck, $"SELECT response_id, customer_id, comment, attr_region FROM read_parquet({ExportKit.FileList(destination, "fact_response")})");
        Assert.Equal(comments.Count, rows.Count);
        var exported = rows.ToDictionary(r => (string)r[0]!);
        foreach ((var response, int index) in responses.Select((r, i) => (r, i)))
        {
            var row = exported[response.ResponseId];
            // An empty comment is stored as no comment.
            string? expected = comments[response.ResponseId] is { Length: > 0 } comment ? comment : null;
            Assert.Equal(expected, row[2] as string);
            Assert.Equal($"顧客-{index % 13}", row[1]);
            Assert.Equal(index % 2 == 0 ? "Ευρώπη" : "EU", row[3]);
        }
    }

    [Fact]
    public async Task AllNullUpdatedAt_HasNoMinMax()
    {
        string surveyId = await Server.CreateSurveyAsync("noupsert");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, surveyId, [ExportKit.Response("n1", 9, Day1, "nu-a"), ExportKit.Response("n2", 4, Day1, "nu-b")]);
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);

        // updated_at is null in every row, so its chunk has a null count and no minimum or maximum.
        string file = Assert.Single(ExportKit.TableFiles(destination, "dim_customer"));
        using var duck = ExportKit.OpenDuckDb();
        var statistics = ExportKit.Query(
            duck, $"SELECT stats_min, stats_max, stats_null_count FROM parquet_metadata('{file}') WHERE path_in_schema = 'updated_at'").Single();
        Assert.Null(statistics[0]);
        Assert.Null(statistics[1]);
        Assert.Equal(2L, Convert.ToInt64(statistics[2]));
        Assert.Equal(2, ExportKit.Scalar(duck, $"SELECT count(*) FROM '{file}' WHERE updated_at IS NULL"));
    }

    [Fact]
    public async Task TextStatistics_InUtf8ByteOrder()
    {
        // U+FF0A comes before U+1F600 in UTF-8 and in code points, but after it in UTF-16 code units, where U+1F600 is
        // the surrogate pair D83D DE00. An ordinal string comparison would swap them.
        string fullwidth = "\uFF0A", emoji = "\U0001F600";
        string surveyId = await Server.CreateSurveyAsync("textstats");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, surveyId,
        [
            ExportKit.Response("s-b", 9, Day1, "c-2", "b " + emoji, ("region", emoji)),
            ExportKit.Response("s-a", 4, Day1.AddMinutes(1), "c-1", "b " + fullwidth, ("region", fullwidth)),
            ExportKit.Response("s-c", 7, Day1.AddMinutes(2), "c-3", "a", ("region", "EU")),
            ExportKit.Response("s-d", 8, Day1.AddMinutes(3), "c-3", null, ("region", "EU")),
        ]);
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);

        string file = Assert.Single(ExportKit.TableFiles(destination, "fact_response"));
        using var duck = ExportKit.OpenDuckDb();
        var bounds = ExportKit.ColumnBounds(duck, file);

        Assert.Equal(("s-a", "s-d"), bounds["response_id"]);
        Assert.Equal(("c-1", "c-3"), bounds["customer_id"]);
        Assert.Equal(("a", "b " + emoji), bounds["comment"]);
        Assert.Equal(("EU", emoji), bounds["attr_region"]);

        // A reader that skips row groups by these bounds finds the largest values. With UTF-16 bounds the maximum
        // would be the U+FF0A value, and the row group would be skipped.
        Assert.Equal(1, ExportKit.Scalar(duck, $"SELECT count(*) FROM '{file}' WHERE attr_region = '{emoji}'"));
        Assert.Equal(1, ExportKit.Scalar(duck, $"SELECT count(*) FROM '{file}' WHERE comment = 'b {emoji}'"));
    }

    [Fact]
    public async Task MissingAttributes_NullInTheirRows()
    {
        // Nulls and values alternate in one row group of a dictionary column, including a null first row and a run of
        // nulls, so each value must stay with its own row.
        bool[] hasPlan = [false, true, true, false, false, true, false, true, true, true, false, false];
        string surveyId = await Server.CreateSurveyAsync("nullattrs");
        string destination = ExportKit.NewDestination();
        var responses = hasPlan.Select((has, i) => has
                ? ExportKit.Response($"m{i}", i % 11, Day1.AddMinutes(i), $"c{i}", null, ("region", "EU"), ("plan", $"plan-{i}"))
                : ExportKit.Response($"m{i}", i % 11, Day1.AddMinutes(i), $"c{i}", null, ("region", "EU")))
            .ToList();
        await ExportKit.IngestAsync(Server, surveyId, responses);
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);

        string file = Assert.Single(ExportKit.TableFiles(destination, "fact_response"));
        using var duck = ExportKit.OpenDuckDb();
        var plans = ExportKit.Query(duck, $"SELECT response_id, attr_plan FROM '{file}'").ToDictionary(r => (string)r[0]!, r => r[1] as string);
        Assert.Equal(hasPlan.Length, plans.Count);
        for (int i = 0; i < hasPlan.Length; i++)
        {
            Assert.Equal(hasPlan[i] ? $"plan-{i}" : null, plans[$"m{i}"]);
        }

        var nullCount = ExportKit.Query(
            duck, $"SELECT stats_null_count FROM parquet_metadata('{file}') WHERE path_in_schema = 'attr_plan'").Single();
        Assert.Equal(hasPlan.Count(has => !has), Convert.ToInt64(nullCount[0]));
    }

    [Fact]
    public async Task TextStatistics_SharedLongPrefixes()
    {
        // Values that share their first 8 bytes or more, values shorter than 8 bytes, values that are prefixes of
        // others, and nulls before the first comment. The expected bounds come from an ordinal comparison, which for
        // ASCII is the UTF-8 byte order.
        string[] ids =
        [
            "survey-2026-12-response-0010", "survey-2026-12-response-0002", "survey-2026-12-response-00100",
            "survey-2026-12-response-001", "survey", "survey-2026-12-response-0009", "survey-2026-12",
        ];
        string[] customers = ["customer-b", "customer-a1", "customer-a", "customer-a10", "customer", "customer-b0", "c"];
        string?[] comments = [null, null, "abcdefgh", "b", "abcdefghi", "ab", "abcdefgg"];
        string surveyId = await Server.CreateSurveyAsync("prefixstats");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, surveyId,
            ids.Select((id, i) => ExportKit.Response(id, i, Day1.AddMinutes(i), customers[i], comments[i])).ToList());
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);

        string file = Assert.Single(ExportKit.TableFiles(destination, "fact_response"));
        using var duck = ExportKit.OpenDuckDb();
        var bounds = ExportKit.ColumnBounds(duck, file);

        Assert.Equal(OrdinalBounds(ids), bounds["response_id"]);
        Assert.Equal(OrdinalBounds(customers), bounds["customer_id"]);
        Assert.Equal(OrdinalBounds(comments.OfType<string>()), bounds["comment"]);
        Assert.Equal(("survey", "survey-2026-12-response-00100"), bounds["response_id"]);
        Assert.Equal(("ab", "b"), bounds["comment"]);
    }

    private static (string Min, string Max) OrdinalBounds(IEnumerable<string> values)
    {
        var sorted = values.Order(StringComparer.Ordinal).ToList();
        return (sorted[0], sorted[^1]);
    }

    [Fact]
    public async Task ManySegmentValues_CountedPerValue()
    {
        // More distinct values than the reader's byte-keyed values (8) and cached daily groups (16) of one date, so
        // the later values take the slower paths.
        string surveyId = await Server.CreateSurveyAsync("segments");
        string destination = ExportKit.NewDestination();
        var responses = Enumerable.Range(0, 60)
            .Select(i => ExportKit.Response($"s{i}", i % 3 == 0 ? 10 : 3, Day1.AddSeconds(i), $"c{i}", null, ("region", $"région-{i % 20}")))
            .ToList();
        await ExportKit.IngestAsync(Server, surveyId, responses);
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId, segmentKeys: "region");
        await ExportKit.RunAsync(Server, target.TargetId);

        using var duck = ExportKit.OpenDuckDb();
        var fact = ExportKit.Query(duck, $"SELECT response_id, attr_region FROM read_parquet({ExportKit.FileList(destination, "fact_response")})")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(60, fact.Count);
        Assert.All(Enumerable.Range(0, 60), i => Assert.Equal($"région-{i % 20}", fact[$"s{i}"]));

        var daily = ExportKit.Query(duck, $"SELECT attr_region, responses, promoters, detractors FROM read_parquet({ExportKit.FileList(destination, "daily_nps")}) ORDER BY 1");
        Assert.Equal(20, daily.Count);
        foreach (var row in daily)
        {
            int value = int.Parse(((string)row[0]!)["région-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            int[] members = [value, value + 20, value + 40];
            Assert.Equal(3L, Convert.ToInt64(row[1]));
            Assert.Equal(members.Count(i => i % 3 == 0), Convert.ToInt64(row[2]));
            Assert.Equal(members.Count(i => i % 3 != 0), Convert.ToInt64(row[3]));
        }
    }

    [Fact]
    public async Task TwiceRowGroupSize_TwoFullRowGroups()
    {
        string surveyId = await Server.CreateSurveyAsync("groups");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(
            Server, surveyId, Enumerable.Range(0, 2000).Select(i => ExportKit.Response($"g{i}", i % 11, Day1.AddSeconds(i), $"c{i % 7}", $"comment {i}", ("plan", i % 2 == 0 ? "pro" : "free"))).ToList());
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId, rowGroupRows: 1000);
        await ExportKit.RunAsync(Server, target.TargetId);

        string file = Assert.Single(ExportKit.TableFiles(destination, "fact_response"));
        using var duck = ExportKit.OpenDuckDb();
        var groups = ExportKit.Query(duck, $"SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('{file}') ORDER BY 1");
        Assert.Equal([1000L, 1000L], groups.Select(g => Convert.ToInt64(g[1])));

        var encodings = ExportKit.Query(duck, $"SELECT path_in_schema, encodings, compression FROM parquet_metadata('{file}')");
        Assert.All(encodings, e => Assert.DoesNotContain("DELTA", (string)e[1]!, StringComparison.Ordinal));
        Assert.All(encodings, e => Assert.Equal("SNAPPY", e[2]));
        Assert.Contains("DICTIONARY", (string)encodings.First(e => (string)e[0]! == "category")[1]!, StringComparison.Ordinal);

        var schema = ExportKit.Query(duck, $"SELECT name, type, logical_type FROM parquet_schema('{file}')").ToDictionary(r => (string)r[0]!);
        Assert.Equal("INT64", schema["responded_at"][1]);
        Assert.Contains("isAdjustedToUTC=1", (string)schema["responded_at"][2]!, StringComparison.Ordinal);
        Assert.Contains("MICROS=MicroSeconds", (string)schema["responded_at"][2]!, StringComparison.Ordinal);
        Assert.Equal("INT32", schema["response_date"][1]);
        Assert.Contains("DateType", (string)schema["response_date"][2]!, StringComparison.Ordinal);
        Assert.DoesNotContain(schema.Values, s => (string?)s[1] == "INT96");

        // Readers that know only the older converted types see the same types.
        var converted = ExportKit.Query(duck, $"SELECT name, converted_type FROM parquet_schema('{file}')")
            .ToDictionary(r => (string)r[0]!, r => (string?)r[1]);
        Assert.Equal("TIMESTAMP_MICROS", converted["responded_at"]);
        Assert.Equal("TIMESTAMP_MICROS", converted["received_at"]);
        Assert.Equal("DATE", converted["response_date"]);
        Assert.Equal("UTF8", converted["response_id"]);
    }

    [Fact]
    public async Task TwoSurveyTarget_KeepsRowSurveys()
    {
        string first = await Server.CreateSurveyAsync("pair-a");
        string second = await Server.CreateSurveyAsync("pair-b");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, first, Enumerable.Range(0, 30).Select(i => ExportKit.Response($"a{i}", i % 11, Day1.AddMinutes(i), $"ca{i % 4}", null, ("region", i % 2 == 0 ? "EU" : "US"))).ToList());
        await ExportKit.IngestAsync(Server, second, Enumerable.Range(0, 12).Select(i => ExportKit.Response($"b{i}", 10, Day1.AddMinutes(i), $"cb{i % 3}", "fine", ("region", "EU"))).ToList());
        var target = await ExportKit.CreateTargetAsync(Server, destination, [first, second], segmentKeys: "region");
        var run = await ExportKit.RunAsync(Server, target.TargetId);
        Assert.Equal(42, run.RowsWritten);

        using var duck = ExportKit.OpenDuckDb();
        string fact = $"read_parquet({ExportKit.FileList(destination, "fact_response")})";
        var perSurvey = ExportKit.Query(duck, $"SELECT survey_id, count(*), count(*) FILTER (WHERE starts_with(response_id, 'a')) FROM {fact} GROUP BY 1 ORDER BY 1")
            .ToDictionary(r => (string)r[0]!, r => (Convert.ToInt64(r[1]), Convert.ToInt64(r[2])));
        Assert.Equal((30L, 30L), perSurvey[first]);
        Assert.Equal((12L, 0L), perSurvey[second]);

        string daily = $"read_parquet({ExportKit.FileList(destination, "daily_nps")})";
        var dailyRows = ExportKit.Query(duck, $"SELECT survey_id, attr_region, CAST(sum(responses) AS BIGINT), CAST(sum(promoters) AS BIGINT) FROM {daily} GROUP BY 1, 2 ORDER BY 1, 2");
        Assert.Equal(
            [(first, "EU", 15L), (first, "US", 15L), (second, "EU", 12L)],
            dailyRows.Select(r => ((string)r[0]!, (string)r[1]!, Convert.ToInt64(r[2]))));
        Assert.Equal(12L, Convert.ToInt64(dailyRows.Single(r => (string)r[0]! == second)[3]));
        Assert.Equal(7, ExportKit.Scalar(duck, $"SELECT count(*) FROM read_parquet({ExportKit.FileList(destination, "dim_customer")})"));
    }

    [Fact]
    public async Task TimeFilters_SeeEveryMatchingRow()
    {
        string surveyId = await Server.CreateSurveyAsync("timefilter");
        string destination = ExportKit.NewDestination();
        var start = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        await ExportKit.IngestAsync(Server, surveyId, Enumerable.Range(0, 100).Select(i => ExportKit.Response($"t{i}", i % 11, start.AddMinutes(i).AddTicks(i * 10 + 10))).ToList());
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);

        using var duck = ExportKit.OpenDuckDb();
        string fact = $"read_parquet({ExportKit.FileList(destination, "fact_response")})";
        Assert.Equal(40, ExportKit.Scalar(duck, $"SELECT count(*) FROM {fact} WHERE responded_at >= TIMESTAMPTZ '2026-11-02 10:00:00+00'"));
        Assert.Equal(100, ExportKit.Scalar(duck, $"SELECT count(*) FROM {fact} WHERE received_at >= TIMESTAMPTZ '2026-11-01 00:00:00+00'"));

        string file = Assert.Single(ExportKit.TableFiles(destination, "fact_response"));
        var statistics = ExportKit.Query(duck, $"SELECT stats_min, stats_max FROM parquet_metadata('{file}') WHERE path_in_schema = 'responded_at'").Single();
        Assert.Equal("2026-11-02 09:00:00.000001+00", statistics[0]);
        Assert.Equal("2026-11-02 10:39:00.0001+00", statistics[1]);
    }

    [Fact]
    public async Task DocumentedDuckDbRecipe_ReadsExport()
    {
        string surveyId = await Server.CreateSurveyAsync("recipe");
        string destination = ExportKit.NewDestination();
        await ExportKit.IngestAsync(Server, surveyId, Enumerable.Range(0, 12).Select(i => ExportKit.Response($"m{i}", i % 11, Day1.AddDays(i % 3))).ToList());
        var target = await ExportKit.CreateTargetAsync(Server, destination, surveyId);
        await ExportKit.RunAsync(Server, target.TargetId);

        using var duck = ExportKit.OpenDuckDb();
        ExportKit.Query(duck, $"""
            SET VARIABLE fact_files = (
                SELECT list('{destination}/' || f.path)
                FROM (SELECT unnest(tables.fact_response) AS f FROM read_json('{destination}/_manifests/latest.json')))
            """);
        var days = ExportKit.Query(duck, """
            SELECT response_date, count(*) AS responses
            FROM read_parquet(getvariable('fact_files'), union_by_name = true)
            GROUP BY response_date ORDER BY response_date
            """);
        Assert.Equal([4L, 4L, 4L], days.Select(d => Convert.ToInt64(d[1])));
    }

    private static long Micros(string instant) =>
        (DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UnixEpoch).Ticks / 10;
}

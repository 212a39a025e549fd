using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using NpsGrpc.V1;

namespace NpsGrpc.Benchmarks.Load;

/// <summary>
/// Runs many ingest streams and query callers against one server for a bounded time and records throughput,
/// latencies and the server's memory and pool figures.
/// </summary>
public sealed class LoadRun(LoadSettings settings, TextWriter output)
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(120);

    private readonly LatencyRecorder _batches = new("batch acknowledgement");
    private readonly LatencyRecorder[] _queries = QueryKinds.Names.Select(name => new LatencyRecorder(name)).ToArray();
    private long _rows;

    /// <summary>Runs the load and prints the report.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        output.WriteLine(settings.Address is null
            ? "Starting the built server as a child process on a fresh benchmark database..."
            : $"Loading the server at {settings.Address}...");
        await using var server = settings.Address is null
            ? await LoadServer.StartChildAsync(cancellationToken)
            : LoadServer.Existing(settings.Address, settings.MetricsUrl);

        // Several HTTP/2 connections, because one connection's default limit of 100 concurrent streams would queue calls.
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        var surveys = new SurveyService.SurveyServiceClient(channel);
        await WaitUntilServingAsync(surveys, cancellationToken);
        string runId = Guid.NewGuid().ToString("N")[..12];
        var surveyIds = Enumerable.Range(0, settings.Surveys).Select(index => $"load-{runId}-{index}").ToArray();
        foreach (string surveyId in surveyIds)
        {
            await surveys.CreateSurveyAsync(
                new CreateSurveyRequest { Survey = new Survey { SurveyId = surveyId, DisplayName = "Load run" } },
                cancellationToken: cancellationToken);
        }

        var sampler = new ServerSampler(server.MetricsUrl);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = sampler.RunAsync(LoadSettings.SampleInterval, stopSampling.Token);

        output.WriteLine(
            $"Running {settings.Streams} ingest streams and {settings.Queriers} queriers for {settings.Duration.TotalSeconds:F0} s " +
            $"on {surveyIds.Length} survey(s) load-{runId}-*...");
        var ingest = new IngestService.IngestServiceClient(channel);
        var query = new QueryService.QueryServiceClient(channel);
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, settings.Streams)
            .Select(stream => RunStreamAsync(ingest, surveyIds[stream % surveyIds.Length], stream, stopwatch, cancellationToken))
            .Concat(Enumerable.Range(0, settings.Queriers)
                .Select(querier => RunQuerierAsync(query, surveyIds, querier, stopwatch, cancellationToken)))
            .ToArray();
        await Task.WhenAll(workers);
        var elapsed = stopwatch.Elapsed;

        await stopSampling.CancelAsync();
        await sampling;
        await sampler.SampleAsync(cancellationToken);

        new LoadReport(settings, server.IsChildProcess, elapsed, Interlocked.Read(ref _rows), _batches, _queries, sampler)
            .Write(output);
        if (_batches.Count == 0)
        {
            throw new BenchmarkException("No batch was acknowledged. The errors printed above show why.");
        }
    }

    // Sends a batch, waits for its acknowledgement and sends the next until the duration is over. A failed call is
    // counted and replaced by a new one.
    private async Task RunStreamAsync(
        IngestService.IngestServiceClient client, string surveyId, int stream, Stopwatch clock, CancellationToken cancellationToken)
    {
        var generator = new LoadResponses(settings.Seed * 10_007 + stream);
        int sequence = 0;
        while (clock.Elapsed < settings.Duration)
        {
            try
            {
                using var call = client.StreamResponses(cancellationToken: cancellationToken);
                while (clock.Elapsed < settings.Duration)
                {
                    var batch = generator.NextBatch(surveyId, $"s{stream:D3}-{sequence++:D7}", settings.BatchSize);
                    long started = Stopwatch.GetTimestamp();
                    await call.RequestStream.WriteAsync(batch, cancellationToken);
                    if (!await call.ResponseStream.MoveNext(cancellationToken))
                    {
                        throw new BenchmarkException("StreamResponses ended without acknowledging a batch.");
                    }

                    _batches.Record(Stopwatch.GetElapsedTime(started));
                    Interlocked.Add(ref _rows, call.ResponseStream.Current.Result.AcceptedCount);
                }

                await call.RequestStream.CompleteAsync();
                await call.ResponseStream.MoveNext(cancellationToken);
            }
            catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
            {
                _batches.RecordError();
                await Console.Error.WriteLineAsync($"  stream {stream}: {exception.StatusCode} {exception.Status.Detail}");
                await Task.Delay(ReconnectDelay, cancellationToken);
            }
        }
    }

    // Calls the query kinds in turn, starting at a different kind in each querier, until the duration is over. Each
    // round of kinds moves on to the next survey.
    private async Task RunQuerierAsync(
        QueryService.QueryServiceClient client, string[] surveyIds, int querier, Stopwatch clock, CancellationToken cancellationToken)
    {
        for (int call = querier; clock.Elapsed < settings.Duration; call++)
        {
            int kind = call % _queries.Length;
            string surveyId = surveyIds[call / _queries.Length % surveyIds.Length];
            var now = DateTime.UtcNow;
            long started = Stopwatch.GetTimestamp();
            try
            {
                await QueryKinds.CallAsync(kind, client, surveyId, now, cancellationToken);
                _queries[kind].Record(Stopwatch.GetElapsedTime(started));
            }
            catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
            {
                _queries[kind].RecordError();
                await Console.Error.WriteLineAsync($"  querier {querier}: {exception.StatusCode} {exception.Status.Detail}");
            }
        }
    }

    private static async Task WaitUntilServingAsync(SurveyService.SurveyServiceClient surveys, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReadyWait;
        while (true)
        {
            try
            {
                await surveys.ListSurveysAsync(
                    new ListSurveysRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (RpcException exception)
            {
                throw new BenchmarkException(
                    $"The server did not answer within {ReadyWait.TotalSeconds:F0} s: {exception.StatusCode} {exception.Status.Detail}");
            }
        }
    }

    /// <summary>The query kinds the queriers call: dashboard questions over the last 30 days.</summary>
    private static class QueryKinds
    {
        public static readonly string[] Names =
        [
            "GetNps overall",
            "GetNps by region and plan",
            "GetNpsTrend by ISO week and region",
            "CompareNps 7 days by channel",
        ];

        public static async Task CallAsync(
            int kind, QueryService.QueryServiceClient client, string surveyId, DateTime now, CancellationToken cancellationToken)
        {
            var end = Timestamp.FromDateTime(now);
            var start = Timestamp.FromDateTime(now.AddDays(-30));
            switch (kind)
            {
                case 0:
                    await client.GetNpsAsync(
                        new GetNpsRequest { SurveyId = surveyId, StartTime = start, EndTime = end },
                        cancellationToken: cancellationToken);
                    break;
                case 1:
                    await client.GetNpsAsync(
                        new GetNpsRequest { SurveyId = surveyId, StartTime = start, EndTime = end, GroupBy = { Attribute("region"), Attribute("plan") } },
                        cancellationToken: cancellationToken);
                    break;
                case 2:
                    await client.GetNpsTrendAsync(
                        new GetNpsTrendRequest
                        {
                            SurveyId = surveyId, StartTime = start, EndTime = end, BucketWidth = BucketWidth.IsoWeek,
                            SegmentBy = Attribute("region"),
                        },
                        cancellationToken: cancellationToken);
                    break;
                default:
                    await client.CompareNpsAsync(
                        new CompareNpsRequest
                        {
                            SurveyId = surveyId,
                            Current = new TimeRange { StartTime = Timestamp.FromDateTime(now.AddDays(-7)), EndTime = end },
                            Baseline = new TimeRange
                            {
                                StartTime = Timestamp.FromDateTime(now.AddDays(-14)), EndTime = Timestamp.FromDateTime(now.AddDays(-7)),
                            },
                            DecomposeBy = Attribute("channel"),
                        },
                        cancellationToken: cancellationToken);
                    break;
            }
        }

        private static AttributeRef Attribute(string key) => new() { Key = key, Scope = AttributeScope.Response };
    }
}

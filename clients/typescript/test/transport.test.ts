// Retries, deadlines, API keys and stream resumption, against an in-process gRPC server whose
// failures each test scripts, because the real server cannot be made UNAVAILABLE on demand.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createSecureServer, createServer, type Http2SecureServer, type Http2Server } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  IngestService,
  NpsClient,
  NpsError,
  ResponseBatchResultSchema,
  SurveyService,
  surveyResponse,
  type StreamResponsesRequest,
  type SurveyResponse,
} from "../src/index.js";
import { backoffCeilingMs, backoffMs, defaultRetryPolicy, resolveRetryPolicy } from "../src/retry.js";

const fastRetry = { maxAttempts: 4, initialBackoffMs: 10, maxBackoffMs: 50 };

const servers: (Http2Server | Http2SecureServer)[] = [];
const clients: NpsClient[] = [];

afterEach(async () => {
  clients.splice(0).forEach((client) => client.close());
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

/** Makes a self-signed certificate for 127.0.0.1 with the openssl command. */
function makeCertificate(): { key: Buffer; cert: Buffer } {
  const folder = mkdtempSync(join(tmpdir(), "nps-typescript-tls-"));
  const keyPath = join(folder, "key.pem");
  const certPath = join(folder, "certificate.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyPath, "-out", certPath,
  ], { stdio: "ignore" });
  return { key: readFileSync(keyPath), cert: readFileSync(certPath) };
}

async function startScripted(
  routes: (router: ConnectRouter) => void,
  tls?: { key: Buffer; cert: Buffer },
): Promise<string> {
  const handler = connectNodeAdapter({ routes, grpc: true, connect: false, grpcWeb: false });
  const server = tls ? createSecureServer({ ...tls, allowHTTP1: false }, handler) : createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  if (address === null || typeof address !== "object") {
    throw new Error(`the scripted server has no TCP address: ${address}`);
  }
  return `${tls ? "https" : "http"}://127.0.0.1:${address.port}`;
}

function newClient(baseUrl: string, options: { apiKey?: string; timeoutMs?: number; ca?: Buffer } = {}): NpsClient {
  const client = new NpsClient({ baseUrl, retry: fastRetry, ...options });
  clients.push(client);
  return client;
}

/** GetSurvey fails with the scripted codes in order, then succeeds; records each call's headers. */
function scriptedSurveys(failures: Code[]) {
  const authorizations: (string | null)[] = [];
  const routes = (router: ConnectRouter) =>
    router.service(SurveyService, {
      getSurvey(request, context: HandlerContext) {
        authorizations.push(context.requestHeader.get("authorization"));
        const failure = failures.shift();
        if (failure !== undefined) {
          throw new ConnectError("scripted failure", failure);
        }
        return { survey: { surveyId: request.surveyId } };
      },
      async listSurveys(_request, context: HandlerContext) {
        // Waits until the client's deadline cancels the call.
        await new Promise((done) => context.signal.addEventListener("abort", done, { once: true }));
        return {};
      },
    });
  return { authorizations, routes };
}

/**
 * StreamResponses acknowledges every batch, except that the first stream fails with UNAVAILABLE
 * after acknowledging `failAfter` batches, and that no batch after the first `acknowledgeLimit`
 * is acknowledged. Records the batch ids of each stream.
 */
function scriptedIngest(failAfter: number, acknowledgeLimit = Infinity) {
  const streams: string[][] = [];
  const routes = (router: ConnectRouter) =>
    router.service(IngestService, {
      async *streamResponses(requests: AsyncIterable<StreamResponsesRequest>) {
        const received: string[] = [];
        streams.push(received);
        const firstStream = streams.length === 1;
        for await (const request of requests) {
          received.push(request.batchId);
          if (firstStream && received.length > failAfter) {
            throw new ConnectError("scripted failure", Code.Unavailable);
          }
          if (received.length > acknowledgeLimit) {
            continue;
          }
          const result = create(ResponseBatchResultSchema, {
            batchId: request.batchId,
            acceptedCount: request.responses.length,
          });
          yield { result };
        }
      },
    });
  return { streams, routes };
}

/**
 * StreamResponses stream i acknowledges `acknowledgedPerStream[i]` batches and then fails with
 * UNAVAILABLE at the next batch; streams past the end of the list acknowledge every batch.
 * Records the batch ids of each stream.
 */
function flakyIngest(acknowledgedPerStream: number[]) {
  const streams: string[][] = [];
  const routes = (router: ConnectRouter) =>
    router.service(IngestService, {
      async *streamResponses(requests: AsyncIterable<StreamResponsesRequest>) {
        const received: string[] = [];
        const index = streams.length;
        streams.push(received);
        for await (const request of requests) {
          received.push(request.batchId);
          if (index < acknowledgedPerStream.length && received.length > acknowledgedPerStream[index]) {
            throw new ConnectError("scripted failure", Code.Unavailable);
          }
          const result = create(ResponseBatchResultSchema, {
            batchId: request.batchId,
            acceptedCount: request.responses.length,
          });
          yield { result };
        }
      },
    });
  return { streams, routes };
}

function oneResponse(index: number) {
  return surveyResponse(`r-${index}`, "c-1", 9, new Date(Date.UTC(2026, 0, 1)));
}

describe("NpsClient transport behaviour", () => {
  it("retries UNAVAILABLE then succeeds", async () => {
    const scripted = scriptedSurveys([Code.Unavailable, Code.Unavailable]);
    const client = newClient(await startScripted(scripted.routes));

    const survey = await client.getSurvey("s-1");

    assert.equal(survey.surveyId, "s-1");
    assert.equal(scripted.authorizations.length, 3);
  });

  it("gives up after maxAttempts", async () => {
    const scripted = scriptedSurveys(Array(10).fill(Code.Unavailable));
    const client = newClient(await startScripted(scripted.routes));

    await assert.rejects(client.getSurvey("s-1"), (error: unknown) => {
      assert.ok(error instanceof NpsError);
      assert.equal(error.code, Code.Unavailable);
      return true;
    });
    assert.equal(scripted.authorizations.length, fastRetry.maxAttempts);
  });

  it("does not retry INVALID_ARGUMENT", async () => {
    const scripted = scriptedSurveys([Code.InvalidArgument]);
    const client = newClient(await startScripted(scripted.routes));

    await assert.rejects(client.getSurvey("s-1"), (error: unknown) => {
      assert.ok(error instanceof NpsError);
      assert.equal(error.code, Code.InvalidArgument);
      assert.equal(error.serverMessage, "scripted failure");
      return true;
    });
    assert.equal(scripted.authorizations.length, 1);
  });

  it("sends the API key as a bearer token on every attempt", async () => {
    const scripted = scriptedSurveys([Code.Unavailable]);
    const client = newClient(await startScripted(scripted.routes), { apiKey: "k-123" });

    await client.getSurvey("s-1");

    assert.deepEqual(scripted.authorizations, ["Bearer k-123", "Bearer k-123"]);
  });

  it("trims whitespace around the API key", async () => {
    const scripted = scriptedSurveys([]);
    const client = newClient(await startScripted(scripted.routes), { apiKey: " k-123\r\n" });

    await client.getSurvey("s-1");

    assert.deepEqual(scripted.authorizations, ["Bearer k-123"]);
  });

  it("sends no authorization for a whitespace-only key", async () => {
    const scripted = scriptedSurveys([]);
    const client = newClient(await startScripted(scripted.routes), { apiKey: " \n" });

    await client.getSurvey("s-1");

    assert.deepEqual(scripted.authorizations, [null]);
  });

  it("rejects an API key with an invalid character", () => {
    const cases: [string, number, string][] = [
      ["nps_secret\nsecond-line", 11, "control character (U+000A)"],
      ["nps_sec\tret", 8, "control character (U+0009)"],
      ["nps_sec\x7fret", 8, "control character (U+007F)"],
      ["nps_s\u00e9cret", 6, "non-ASCII character (U+00E9)"],
    ];
    for (const [apiKey, position, kind] of cases) {
      assert.throws(
        () => new NpsClient({ baseUrl: "http://127.0.0.1:1", apiKey }),
        (error: unknown) => {
          assert.ok(error instanceof RangeError);
          assert.ok(error.message.includes(`character ${position} of ${apiKey.length}`), error.message);
          assert.ok(error.message.includes(kind), error.message);
          assert.ok(!error.message.includes("sec"), "the message contains part of the key");
          return true;
        },
      );
    }
  });

  it("sends no authorization without a key", async () => {
    const scripted = scriptedSurveys([]);
    const client = newClient(await startScripted(scripted.routes));

    await client.getSurvey("s-1");

    assert.deepEqual(scripted.authorizations, [null]);
  });

  it("calls over TLS with the key", async () => {
    const certificate = makeCertificate();
    const scripted = scriptedSurveys([]);
    const baseUrl = await startScripted(scripted.routes, certificate);
    const client = newClient(baseUrl, { apiKey: "k-tls", ca: certificate.cert });

    const survey = await client.getSurvey("s-tls");

    assert.equal(survey.surveyId, "s-tls");
    assert.deepEqual(scripted.authorizations, ["Bearer k-tls"]);
  });

  it("TLS without the CA rejects the certificate", async () => {
    const certificate = makeCertificate();
    const scripted = scriptedSurveys([]);
    const client = newClient(await startScripted(scripted.routes, certificate));

    // Connect 2.2 reports a certificate that fails verification as INTERNAL.
    await assert.rejects(client.getSurvey("s-tls"), (error: unknown) => {
      assert.ok(error instanceof NpsError);
      assert.equal(error.code, Code.Internal);
      assert.match(error.serverMessage, /certificate/i);
      return true;
    });
    assert.deepEqual(scripted.authorizations, []);
  });

  it("default deadline ends a call with DEADLINE_EXCEEDED", async () => {
    const scripted = scriptedSurveys([]);
    const client = newClient(await startScripted(scripted.routes), { timeoutMs: 200 });

    await assert.rejects(client.surveys.listSurveys({}), (error: unknown) => {
      assert.equal(NpsError.from(error).code, Code.DeadlineExceeded);
      return true;
    });
  });

  it("streamResponses resends unacknowledged batches", async () => {
    const scripted = scriptedIngest(2);
    const client = newClient(await startScripted(scripted.routes));
    const batches = [0, 1, 2, 3, 4].map((index) => [oneResponse(index)]);

    const results = await client.streamResponses("s-1", batches, { batchIdPrefix: "b" });

    assert.deepEqual(results.map((result) => result.batchId), ["b-0", "b-1", "b-2", "b-3", "b-4"]);
    assert.deepEqual(scripted.streams[0].slice(0, 3), ["b-0", "b-1", "b-2"]);
    assert.deepEqual(scripted.streams[1], ["b-2", "b-3", "b-4"]);
  });

  it("streamResponses rethrows a source error after the acknowledgements", async () => {
    const scripted = scriptedIngest(100);
    const client = newClient(await startScripted(scripted.routes));
    function* batches() {
      yield [oneResponse(0)];
      throw new Error("bad input file");
    }

    await assert.rejects(client.streamResponses("s-1", batches(), { batchIdPrefix: "src" }), /bad input file/);
    assert.deepEqual(scripted.streams, [["src-0"]]);
  });

  it("streamResponses rethrows an invalid batch error", async () => {
    const scripted = scriptedIngest(100);
    const client = newClient(await startScripted(scripted.routes));
    const batches = [[oneResponse(0)], 42 as unknown as SurveyResponse[]];

    await assert.rejects(client.streamResponses("s-1", batches, { batchIdPrefix: "bad" }), TypeError);
    assert.deepEqual(scripted.streams, [["bad-0"]]);
  });

  it("streamResponses missing acknowledgement throws", async () => {
    const scripted = scriptedIngest(100, 1);
    const client = newClient(await startScripted(scripted.routes));
    const batches = [0, 1].map((index) => [oneResponse(index)]);

    await assert.rejects(client.streamResponses("s-1", batches, { batchIdPrefix: "ack" }), (error: unknown) => {
      assert.ok(error instanceof NpsError);
      assert.equal(error.code, Code.Internal);
      assert.match(error.serverMessage, /"ack-1"/);
      return true;
    });
  });

  it("streamResponses resets the retry count on each acknowledgement", async () => {
    // Every stream fails once after one acknowledgement: seven failures in all, more than the
    // four attempts of fastRetry, but never two in a row without progress.
    const scripted = flakyIngest(Array(7).fill(1));
    const client = newClient(await startScripted(scripted.routes));
    const batches = [0, 1, 2, 3, 4, 5, 6, 7].map((index) => [oneResponse(index)]);

    const results = await client.streamResponses("s-1", batches, { batchIdPrefix: "blip" });

    assert.deepEqual(results.map((result) => result.batchId), batches.map((_, index) => `blip-${index}`));
    assert.equal(scripted.streams.length, 8);
    assert.equal(scripted.streams[1][0], "blip-1");
  });

  it("streamResponses gives up with the acknowledged batch ids", async () => {
    const scripted = flakyIngest([2, ...Array(10).fill(0)]);
    const client = newClient(await startScripted(scripted.routes));
    const batches = [0, 1, 2, 3, 4].map((index) => [oneResponse(index)]);

    await assert.rejects(client.streamResponses("s-1", batches, { batchIdPrefix: "up" }), (error: unknown) => {
      assert.ok(error instanceof NpsError);
      assert.equal(error.code, Code.Unavailable);
      assert.deepEqual(error.acknowledgedBatchIds, ["up-0", "up-1"]);
      assert.equal(error.acknowledgedCount, 2);
      assert.match(error.message, /acknowledged 2 batches \(up-0 to up-1\)/);
      return true;
    });
    assert.equal(scripted.streams.length, fastRetry.maxAttempts);
  });

  it("streamResponses gives up before any acknowledgement", async () => {
    const scripted = flakyIngest(Array(10).fill(0));
    const client = newClient(await startScripted(scripted.routes));

    const call = client.streamResponses("s-1", [[oneResponse(0)]], { batchIdPrefix: "none" });

    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof NpsError);
      assert.deepEqual(error.acknowledgedBatchIds, []);
      assert.equal(error.acknowledgedCount, 0);
      assert.match(error.message, /resend every batch/);
      return true;
    });
  });

  it("streamResponses missing acknowledgement lists the acknowledged", async () => {
    const scripted = scriptedIngest(100, 1);
    const client = newClient(await startScripted(scripted.routes));
    const batches = [0, 1].map((index) => [oneResponse(index)]);

    await assert.rejects(client.streamResponses("s-1", batches, { batchIdPrefix: "ack" }), (error: unknown) => {
      assert.ok(error instanceof NpsError);
      assert.deepEqual(error.acknowledgedBatchIds, ["ack-0"]);
      assert.match(error.message, /acknowledged 1 batch \(ack-0\)/);
      return true;
    });
  });

  it("unary error has no acknowledged batch ids", async () => {
    const scripted = scriptedSurveys([Code.NotFound]);
    const client = newClient(await startScripted(scripted.routes));

    await assert.rejects(client.getSurvey("s-1"), (error: unknown) => {
      assert.ok(error instanceof NpsError);
      assert.equal(error.acknowledgedBatchIds, undefined);
      assert.equal(error.acknowledgedCount, undefined);
      return true;
    });
  });

  it("default policy covers a database restart", () => {
    const ceilings: number[] = [];
    for (let retry = 1; retry < defaultRetryPolicy.maxAttempts; retry++) {
      ceilings.push(Math.min(10_000, 500 * 2 ** (retry - 1)));
    }
    const minimumTotalMs = ceilings.reduce((sum, ceiling) => sum + ceiling / 2, 0);

    assert.equal(defaultRetryPolicy.maxAttempts, 10);
    assert.ok(minimumTotalMs >= 25_000, `the waits add up to at least ${minimumTotalMs} ms`);
    assert.equal(Math.max(...ceilings), 10_000);
    ceilings.forEach((ceiling, index) => assert.equal(backoffCeilingMs(defaultRetryPolicy, index + 1), ceiling));
  });

  it("retry policy rejects zero attempts", () => {
    assert.throws(() => resolveRetryPolicy({ maxAttempts: 0 }), /maxAttempts/);
  });

  it("backoff stays within its ceiling", () => {
    const policy = resolveRetryPolicy({ initialBackoffMs: 100, maxBackoffMs: 1000, multiplier: 2 });
    const cases: [number, number][] = [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1000], [9, 1000]];
    for (const [retry, ceiling] of cases) {
      for (let sample = 0; sample < 50; sample++) {
        const wait = backoffMs(policy, retry);
        assert.ok(wait >= ceiling / 2, `retry ${retry}: wait ${wait} is under half the ceiling ${ceiling}`);
        assert.ok(wait <= ceiling, `retry ${retry}: wait ${wait} is over the ceiling ${ceiling}`);
      }
    }
  });
});

import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { CohortService } from "./gen/nps/v1/cohort_pb.js";
import { ExportService } from "./gen/nps/v1/export_pb.js";
import { FollowUpService } from "./gen/nps/v1/followup_pb.js";
import { GoalService } from "./gen/nps/v1/goal_pb.js";
import {
  IngestService,
  SurveyResponseSchema,
  type ResponseBatchResult,
  type SurveyResponse,
} from "./gen/nps/v1/ingest_pb.js";
import { InsightService } from "./gen/nps/v1/insight_pb.js";
import { AttributeScope, GetNpsRequestSchema, QueryService, type GetNpsResponse } from "./gen/nps/v1/query_pb.js";
import { SurveyService, type Survey } from "./gen/nps/v1/survey_pb.js";
import { NpsError } from "./errors.js";
import { backoffMs, isRetryable, resolveRetryPolicy, retryInterceptor, sleep, type RetryPolicy } from "./retry.js";
import { BatchStream, type Batch } from "./batch-stream.js";

/** Options of an NpsClient. */
export interface NpsClientOptions {
  /** Server URL: http://host:port for plaintext HTTP/2 (h2c), https://host:port for TLS. */
  baseUrl: string;
  /**
   * Key sent with every call as "authorization: Bearer <key>"; none when undefined or empty.
   * Whitespace around it, such as the newline at the end of a key file, is removed. A key that
   * still contains a control or non-ASCII character throws a RangeError that does not contain it.
   */
  apiKey?: string;
  /** PEM of the CA that signed the server certificate, for https URLs; default the system roots. */
  ca?: string | Buffer;
  /** Deadline of a call in milliseconds, retries included. Default 30000. */
  timeoutMs?: number;
  /** Deadline of streamResponses in milliseconds, retries included. Default 600000. */
  streamTimeoutMs?: number;
  /** When and how long to wait before retrying UNAVAILABLE. Missing fields take the defaults. */
  retry?: Partial<RetryPolicy>;
}

/** Options of one streamResponses call. */
export interface StreamResponsesOptions {
  /** Batch n (0-based) gets the id `${batchIdPrefix}-${n}`. Default a random UUID. */
  batchIdPrefix?: string;
  /** Overrides the client's streamTimeoutMs for this call. */
  timeoutMs?: number;
}

/** Request fields of getNps, as GetNpsRequest takes them, with the survey given separately. */
export type GetNpsOptions = Omit<MessageInitShape<typeof GetNpsRequestSchema>, "surveyId" | "$typeName">;

/**
 * A connection to an NpsGrpc server.
 *
 * Every call sends the API key (when given) as `authorization: Bearer <key>` metadata and gets
 * the default deadline unless the call passes `timeoutMs`. Unary calls that fail with
 * UNAVAILABLE are retried with exponential backoff and jitter; streamResponses resumes a failed
 * stream itself. The helpers throw NpsError, which carries the google.rpc.BadRequest field
 * violations; for errors of the raw service clients (surveys, ingest, query...), call
 * NpsError.from(error).
 */
export class NpsClient {
  readonly surveys: Client<typeof SurveyService>;
  readonly ingest: Client<typeof IngestService>;
  readonly query: Client<typeof QueryService>;
  readonly cohorts: Client<typeof CohortService>;
  readonly exports: Client<typeof ExportService>;
  readonly followUps: Client<typeof FollowUpService>;
  readonly goals: Client<typeof GoalService>;
  readonly insights: Client<typeof InsightService>;

  private readonly sessionManager: Http2SessionManager;
  private readonly retry: RetryPolicy;
  private readonly streamTimeoutMs: number;

  constructor(options: NpsClientOptions) {
    this.retry = resolveRetryPolicy(options.retry);
    this.streamTimeoutMs = options.streamTimeoutMs ?? 600_000;
    this.sessionManager = new Http2SessionManager(options.baseUrl, undefined, options.ca ? { ca: options.ca } : {});

    const apiKey = checkApiKey(options.apiKey);
    const interceptors: Interceptor[] = [retryInterceptor(this.retry)];
    if (apiKey) {
      interceptors.unshift(authorizationInterceptor(apiKey));
    }
    const transport = createGrpcTransport({
      baseUrl: options.baseUrl,
      sessionManager: this.sessionManager,
      defaultTimeoutMs: options.timeoutMs ?? 30_000,
      interceptors,
    });

    this.surveys = createClient(SurveyService, transport);
    this.ingest = createClient(IngestService, transport);
    this.query = createClient(QueryService, transport);
    this.cohorts = createClient(CohortService, transport);
    this.exports = createClient(ExportService, transport);
    this.followUps = createClient(FollowUpService, transport);
    this.goals = createClient(GoalService, transport);
    this.insights = createClient(InsightService, transport);
  }

  /** Closes the HTTP/2 connection; calls in flight fail. */
  close(): void {
    this.sessionManager.abort();
  }

  /** Creates a survey and returns it with its createTime. */
  async createSurvey(surveyId: string, displayName: string, description = ""): Promise<Survey> {
    const answer = await callOrThrow(() =>
      this.surveys.createSurvey({ survey: { surveyId, displayName, description } }),
    );
    return answer.survey!;
  }

  /** Returns one survey; throws NpsError with code NotFound when it does not exist. */
  async getSurvey(surveyId: string): Promise<Survey> {
    const answer = await callOrThrow(() => this.surveys.getSurvey({ surveyId }));
    return answer.survey!;
  }

  /**
   * Returns the NPS of a survey, overall and per group. `groupBy` takes response attribute keys
   * as strings; pass `options.groupBy` for customer attributes or other scopes.
   */
  async getNps(surveyId: string, groupBy: string[] = [], options: GetNpsOptions = {}): Promise<GetNpsResponse> {
    const request = create(GetNpsRequestSchema, {
      ...options,
      surveyId,
      groupBy: [...groupBy.map((key) => ({ key, scope: AttributeScope.RESPONSE })), ...(options.groupBy ?? [])],
    });
    return callOrThrow(() => this.query.getNps(request));
  }

  /**
   * Sends batches of responses on one StreamResponses stream and returns every acknowledgement,
   * in batch order, each sent by the server after that batch was committed.
   *
   * When the stream fails with UNAVAILABLE, a new stream resends the batches not yet
   * acknowledged, with the same ids, then goes on with the rest. Resending is safe because the
   * server stores each response id once and counts an identical resend as a duplicate. Batches
   * are pulled from `batches` lazily and kept in memory only until acknowledged. Each
   * acknowledgement resets the retry count, so a long stream survives any number of separate
   * outages that each fit in the retry policy.
   *
   * Throws NpsError when the stream fails otherwise, or when retries or the deadline run out. Its
   * `acknowledgedBatchIds` lists the batches acknowledged before the failure, which are the first
   * batches of `batches`, so the caller resends only the rest.
   */
  async streamResponses(
    surveyId: string,
    batches: Iterable<Batch> | AsyncIterable<Batch>,
    options: StreamResponsesOptions = {},
  ): Promise<ResponseBatchResult[]> {
    const stream = new BatchStream(surveyId, batches, options.batchIdPrefix ?? crypto.randomUUID());
    const deadline = Date.now() + (options.timeoutMs ?? this.streamTimeoutMs);
    const results: ResponseBatchResult[] = [];

    const acknowledgedIds = () => results.map((result) => result.batchId);

    let attempt = 1;
    for (;;) {
      try {
        const timeoutMs = Math.max(1, deadline - Date.now());
        for await (const answer of this.ingest.streamResponses(stream.requests(), { timeoutMs })) {
          results.push(stream.acknowledge(answer.result));
          // An acknowledgement is progress, so the next outage gets every attempt of the policy again.
          attempt = 1;
        }
        break;
      } catch (error) {
        const wait = backoffMs(this.retry, attempt);
        const retry = !(error instanceof NpsError) && isRetryable(error) && attempt < this.retry.maxAttempts;
        if (!retry || Date.now() + wait >= deadline) {
          throw NpsError.from(error).withAcknowledged(acknowledgedIds());
        }
        await sleep(wait);
        attempt++;
        stream.restart();
      }
    }

    stream.throwSourceError();
    try {
      stream.checkAllAcknowledged();
    } catch (error) {
      throw NpsError.from(error).withAcknowledged(acknowledgedIds());
    }
    return results;
  }
}

/** Builds a SurveyResponse message. */
export function surveyResponse(
  responseId: string,
  customerId: string,
  score: number,
  respondedAt: Date,
  extra: { comment?: string; attributes?: Record<string, string>; weight?: number } = {},
): SurveyResponse {
  return create(SurveyResponseSchema, {
    responseId,
    customerId,
    score,
    respondedAt: timestampFromDate(respondedAt),
    comment: extra.comment ?? "",
    attributes: extra.attributes ?? {},
    weight: extra.weight,
  });
}

/**
 * Returns the key without surrounding whitespace, or undefined for a missing or empty key.
 * gRPC accepts only printable ASCII (0x20 to 0x7E) in a text metadata value, so any other
 * character throws here, with its position and code point but never the key.
 */
function checkApiKey(apiKey: string | undefined): string | undefined {
  const key = apiKey?.trim();
  if (!key) {
    return undefined;
  }
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    if (code < 0x20 || code > 0x7e) {
      const kind = code < 0x80 ? "a control character" : "a non-ASCII character";
      const codePoint = key.codePointAt(index)!.toString(16).toUpperCase().padStart(4, "0");
      throw new RangeError(
        `invalid API key: character ${index + 1} of ${key.length} is ${kind} (U+${codePoint}), ` +
          "which an HTTP header value cannot contain; check the file or variable the key came from",
      );
    }
  }
  return key;
}

function authorizationInterceptor(apiKey: string): Interceptor {
  return (next) => (request) => {
    request.header.set("authorization", `Bearer ${apiKey}`);
    return next(request);
  };
}

async function callOrThrow<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw NpsError.from(error);
  }
}

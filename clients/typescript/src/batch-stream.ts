import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import {
  StreamResponsesRequestSchema,
  type ResponseBatchResult,
  type StreamResponsesRequest,
  type SurveyResponse,
} from "./gen/nps/v1/ingest_pb.js";
import { NpsError } from "./errors.js";

/** One batch of responses for streamResponses. */
export type Batch = readonly SurveyResponse[];

/**
 * The request side of a resumable StreamResponses call: the batches sent but not yet
 * acknowledged, and the source the next batches come from. Each stream attempt has a generation
 * number. Once a retry starts, the request iterator of the failed attempt stops sending, and every
 * batch it pulled stays pending until the next attempt resends it.
 */
export class BatchStream {
  private readonly source: AsyncIterator<Batch> | Iterator<Batch>;
  /** Batches pulled from the source and not yet acknowledged. pending[0] is batch number acknowledgedCount. */
  private readonly pending: StreamResponsesRequest[] = [];
  private acknowledgedCount = 0;
  private generation = 0;
  private nextIndex = 0;
  private sourceDone = false;
  private sourceError: unknown;
  private hasSourceError = false;
  /** The pull from the source in flight, shared so that two iterators never pull at once. */
  private pull: Promise<void> | undefined;

  constructor(
    private readonly surveyId: string,
    batches: Iterable<Batch> | AsyncIterable<Batch>,
    private readonly prefix: string,
  ) {
    this.source = Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : batches[Symbol.iterator]();
  }

  /** Yields the pending batches, then pulls new ones from the source until it ends or a retry starts. */
  async *requests(): AsyncGenerator<StreamResponsesRequest> {
    const generation = this.generation;
    let cursor = this.acknowledgedCount;

    while (generation === this.generation) {
      // Acknowledgements only remove batches before the cursor, so the offset stays valid.
      const offset = cursor - this.acknowledgedCount;
      if (offset < this.pending.length) {
        cursor++;
        yield this.pending[offset];
        continue;
      }
      if (this.sourceDone) {
        return;
      }
      this.pull ??= this.pullNext().finally(() => {
        this.pull = undefined;
      });
      await this.pull;
    }
  }

  /** Removes the acknowledged batch from the pending ones; throws when it is not the oldest. */
  acknowledge(result: ResponseBatchResult | undefined): ResponseBatchResult {
    const expected = this.pending[0]?.batchId;
    if (result === undefined || result.batchId !== expected) {
      throw new NpsError(
        Code.Internal,
        `the server acknowledged batch "${result?.batchId}" but batch "${expected}" was next`,
      );
    }
    this.pending.shift();
    this.acknowledgedCount++;
    return result;
  }

  /** Throws when a batch was sent but the stream ended without acknowledging it. */
  checkAllAcknowledged(): void {
    if (this.pending.length > 0) {
      throw new NpsError(Code.Internal, `the stream ended without acknowledging batch "${this.pending[0].batchId}"`);
    }
  }

  /** Starts a new generation: the iterator of the failed attempt stops sending. */
  restart(): void {
    this.generation++;
  }

  /** Throws the error the source threw, if any. */
  throwSourceError(): void {
    if (this.hasSourceError) {
      throw this.sourceError;
    }
  }

  private async pullNext(): Promise<void> {
    let request: StreamResponsesRequest;
    try {
      const next = await this.source.next();
      if (next.done) {
        this.sourceDone = true;
        return;
      }
      request = create(StreamResponsesRequestSchema, {
        surveyId: this.surveyId,
        batchId: `${this.prefix}-${this.nextIndex}`,
        responses: [...next.value],
      });
    } catch (error) {
      // Ending the request stream lets the server acknowledge what was sent, and the caller then
      // gets this error instead of a cancelled call. A batch that is not an array fails here too.
      this.sourceError = error;
      this.hasSourceError = true;
      this.sourceDone = true;
      return;
    }

    this.pending.push(request);
    this.nextIndex++;
  }
}

import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb.js";

/** One entry of a google.rpc.BadRequest: the request field that was rejected and why. */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * A failed call: the gRPC status code, the server's message and any field violations.
 *
 * The server sends INVALID_ARGUMENT and RESOURCE_EXHAUSTED with a google.rpc.BadRequest in the
 * grpc-status-details-bin trailer naming the rejected field, so `fieldViolations` is filled for
 * those codes.
 */
export class NpsError extends Error {
  /** Status code, as Connect numbers them (the gRPC numbers). */
  readonly code: Code;
  /** Status code name as gRPC spells it, for example "INVALID_ARGUMENT". */
  readonly codeName: string;
  /** The server's message, without the code. */
  readonly serverMessage: string;
  /** Field violations of the google.rpc.BadRequest details; empty when there are none. */
  readonly fieldViolations: readonly FieldViolation[];
  /**
   * Batches the server acknowledged before a streamResponses call failed, in order. They are the
   * first batches of the source, so the caller resends only the batches after them. Undefined
   * for every other call.
   */
  readonly acknowledgedBatchIds: readonly string[] | undefined;

  constructor(
    code: Code,
    serverMessage: string,
    fieldViolations: readonly FieldViolation[] = [],
    cause?: unknown,
    acknowledgedBatchIds?: readonly string[],
  ) {
    const codeName = grpcCodeName(code);
    const lines = [`${codeName}: ${serverMessage}`, ...fieldViolations.map((v) => `  ${v.field}: ${v.description}`)];
    if (acknowledgedBatchIds !== undefined) {
      lines.push(`  ${describeAcknowledged(acknowledgedBatchIds)}`);
    }
    super(lines.join("\n"), { cause });
    this.name = "NpsError";
    this.code = code;
    this.codeName = codeName;
    this.serverMessage = serverMessage;
    this.fieldViolations = fieldViolations;
    this.acknowledgedBatchIds = acknowledgedBatchIds;
  }

  /** Number of batches acknowledged before a stream failed; undefined for other calls. */
  get acknowledgedCount(): number | undefined {
    return this.acknowledgedBatchIds?.length;
  }

  /** Returns a copy of this error that records the batches acknowledged before it. */
  withAcknowledged(batchIds: readonly string[]): NpsError {
    return new NpsError(this.code, this.serverMessage, this.fieldViolations, this.cause, [...batchIds]);
  }

  /** Converts any error thrown by a call; an NpsError is returned unchanged. */
  static from(error: unknown): NpsError {
    if (error instanceof NpsError) {
      return error;
    }

    const connectError = ConnectError.from(error);
    const violations = connectError
      .findDetails(BadRequestSchema)
      .flatMap((badRequest) => badRequest.fieldViolations)
      .map((violation) => ({ field: violation.field, description: violation.description }));
    return new NpsError(connectError.code, connectError.rawMessage, violations, error);
  }
}

function describeAcknowledged(batchIds: readonly string[]): string {
  if (batchIds.length === 0) {
    return "the stream failed before the server acknowledged any batch; resend every batch";
  }
  const counted =
    batchIds.length === 1
      ? `1 batch (${batchIds[0]})`
      : `${batchIds.length} batches (${batchIds[0]} to ${batchIds[batchIds.length - 1]})`;
  return `the server acknowledged ${counted} before the stream failed; resend only the batches after them`;
}

/** Returns the gRPC name of a code: Code.InvalidArgument becomes "INVALID_ARGUMENT". */
export function grpcCodeName(code: Code): string {
  const name = Code[code];
  if (name === undefined) {
    return `CODE_${code}`;
  }
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

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

  constructor(code: Code, serverMessage: string, fieldViolations: readonly FieldViolation[] = [], cause?: unknown) {
    const codeName = grpcCodeName(code);
    const lines = [`${codeName}: ${serverMessage}`, ...fieldViolations.map((v) => `  ${v.field}: ${v.description}`)];
    super(lines.join("\n"), { cause });
    this.name = "NpsError";
    this.code = code;
    this.codeName = codeName;
    this.serverMessage = serverMessage;
    this.fieldViolations = fieldViolations;
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

/** Returns the gRPC name of a code: Code.InvalidArgument becomes "INVALID_ARGUMENT". */
export function grpcCodeName(code: Code): string {
  const name = Code[code];
  if (name === undefined) {
    return `CODE_${code}`;
  }
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

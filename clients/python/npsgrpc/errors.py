"""Readable errors built from gRPC statuses and their google.rpc details."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from npsgrpc._rpc import error_details_pb2, status_pb2

# Trailer that carries the whole google.rpc.Status, serialized, next to grpc-status and grpc-message.
STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class FieldViolation:
    """One entry of a google.rpc.BadRequest: the request field that was rejected and why."""

    field: str
    description: str


class NpsError(Exception):
    """A failed call: the gRPC status code, the server's message and any field violations.

    The server sends INVALID_ARGUMENT and RESOURCE_EXHAUSTED with a google.rpc.BadRequest that
    names the rejected field, so ``field_violations`` is filled for those codes.

    When ``NpsClient.stream_responses`` fails, ``acknowledged_batch_ids`` lists the batches the
    server acknowledged before the failure, in order. They are the first batches of the source,
    so the caller resends only the batches after them. It is None for every other call.
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        field_violations: tuple[FieldViolation, ...] = (),
        acknowledged_batch_ids: tuple[str, ...] | None = None,
    ):
        self.code = code
        self.message = message
        self.field_violations = field_violations
        self.acknowledged_batch_ids = acknowledged_batch_ids
        super().__init__(self._describe())

    @property
    def acknowledged_count(self) -> int | None:
        """Number of batches acknowledged before a stream failed, or None for other calls."""
        if self.acknowledged_batch_ids is None:
            return None
        return len(self.acknowledged_batch_ids)

    def with_acknowledged(self, batch_ids: tuple[str, ...]) -> NpsError:
        """Return a copy of this error that records the batches acknowledged before it."""
        return NpsError(self.code, self.message, self.field_violations, tuple(batch_ids))

    def _describe(self) -> str:
        text = f"{self.code.name}: {self.message}"
        for violation in self.field_violations:
            text += f"\n  {violation.field}: {violation.description}"
        if self.acknowledged_batch_ids is not None:
            text += f"\n  {_describe_acknowledged(self.acknowledged_batch_ids)}"
        return text

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> NpsError:
        """Build an NpsError from the status and trailers of a failed call."""
        code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
        message = error.details() if isinstance(error, grpc.Call) else str(error)
        trailers = error.trailing_metadata() if isinstance(error, grpc.Call) else None
        return cls(code, message or "", parse_field_violations(trailers))


def _describe_acknowledged(batch_ids: tuple[str, ...]) -> str:
    if not batch_ids:
        return "the stream failed before the server acknowledged any batch; resend every batch"
    if len(batch_ids) == 1:
        counted = f"1 batch ({batch_ids[0]})"
    else:
        counted = f"{len(batch_ids)} batches ({batch_ids[0]} to {batch_ids[-1]})"
    return (
        f"the server acknowledged {counted} before the stream failed; "
        "resend only the batches after them"
    )


def parse_field_violations(trailers) -> tuple[FieldViolation, ...]:
    """Decode the google.rpc.BadRequest field violations of a grpc-status-details-bin trailer.

    Returns an empty tuple when the trailer is absent or carries no BadRequest.
    """
    for key, value in trailers or ():
        if key != STATUS_DETAILS_KEY:
            continue

        status = status_pb2.Status.FromString(value)
        violations = []
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad_request = error_details_pb2.BadRequest()
                detail.Unpack(bad_request)
                violations.extend(
                    FieldViolation(item.field, item.description) for item in bad_request.field_violations
                )
        return tuple(violations)

    return ()

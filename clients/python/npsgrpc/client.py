"""NpsClient: a thin wrapper over the generated nps.v1 stubs."""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from nps.v1 import (
    cohort_pb2_grpc,
    export_pb2_grpc,
    followup_pb2_grpc,
    goal_pb2_grpc,
    ingest_pb2,
    ingest_pb2_grpc,
    insight_pb2_grpc,
    query_pb2,
    query_pb2_grpc,
    survey_pb2,
    survey_pb2_grpc,
)
from npsgrpc.errors import NpsError
from npsgrpc.retry import Deadline, RetryPolicy, is_retryable

# A GetNps response with every group on one page (page_size 0) can exceed gRPC's default receive
# limit of 4 MiB.
_MAX_RECEIVE_BYTES = 64 * 1024 * 1024


class NpsClient:
    """A connection to an NpsGrpc server.

    Every call made through the helper methods or :meth:`call` sends the API key (when given) as
    ``authorization: Bearer <key>`` metadata, gets a deadline, and is retried with exponential
    backoff and jitter when the server returns UNAVAILABLE. Failures are raised as
    :class:`NpsError`, with the google.rpc.BadRequest field violations the server attached.

    The generated stubs are exposed as ``surveys``, ``ingest``, ``query``, ``cohorts``,
    ``exports``, ``followups``, ``goals`` and ``insights``. Pass their methods to :meth:`call`
    to get the same behaviour for RPCs that have no helper here.

    Args:
        target: ``host:port`` of the server, for example ``127.0.0.1:50051``.
        api_key: key sent with every call, or None (or an empty string) to send none. Whitespace
            around it, such as the newline at the end of a key file, is removed. A key that still
            contains a control character or a non-ASCII character raises ValueError, whose
            message does not contain the key.
        tls: True for a TLS channel, False for plaintext HTTP/2 (h2c).
        root_certificates: PEM bytes of the CA that signed the server certificate; None uses the
            system roots. Only read when ``tls`` is True.
        timeout: deadline in seconds of a unary call, retries included; None means no deadline.
        stream_timeout: deadline in seconds of a streaming call, retries included; None means no
            deadline.
        retry: when and how long to wait before retrying UNAVAILABLE.
    """

    def __init__(
        self,
        target: str,
        *,
        api_key: str | None = None,
        tls: bool = False,
        root_certificates: bytes | None = None,
        timeout: float | None = 30.0,
        stream_timeout: float | None = 600.0,
        retry: RetryPolicy | None = None,
    ):
        options = [("grpc.max_receive_message_length", _MAX_RECEIVE_BYTES)]
        if tls:
            credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self._channel = grpc.secure_channel(target, credentials, options=options)
        else:
            self._channel = grpc.insecure_channel(target, options=options)

        self._metadata = _authorization_metadata(api_key)
        self._timeout = timeout
        self._stream_timeout = stream_timeout
        self._retry = retry or RetryPolicy()

        self.surveys = survey_pb2_grpc.SurveyServiceStub(self._channel)
        self.ingest = ingest_pb2_grpc.IngestServiceStub(self._channel)
        self.query = query_pb2_grpc.QueryServiceStub(self._channel)
        self.cohorts = cohort_pb2_grpc.CohortServiceStub(self._channel)
        self.exports = export_pb2_grpc.ExportServiceStub(self._channel)
        self.followups = followup_pb2_grpc.FollowUpServiceStub(self._channel)
        self.goals = goal_pb2_grpc.GoalServiceStub(self._channel)
        self.insights = insight_pb2_grpc.InsightServiceStub(self._channel)

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._channel.close()

    def __enter__(self) -> NpsClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def call(self, method: Callable, request, *, timeout: float | None = None):
        """Call a unary stub method with the client's key, deadline and retries.

        ``timeout`` overrides the client's unary deadline for this call. Raises NpsError.
        """
        deadline = Deadline(self._timeout if timeout is None else timeout)
        attempt = 1
        while True:
            try:
                return method(request, timeout=deadline.remaining(), metadata=self._metadata)
            except grpc.RpcError as error:
                wait = self._retry.backoff(attempt)
                if not self._should_retry(error, attempt, deadline, wait):
                    raise NpsError.from_rpc_error(error) from None
                time.sleep(wait)
                attempt += 1

    def create_survey(self, survey_id: str, display_name: str, description: str = "") -> survey_pb2.Survey:
        """Create a survey and return it with its create_time."""
        survey = survey_pb2.Survey(survey_id=survey_id, display_name=display_name, description=description)
        return self.call(self.surveys.CreateSurvey, survey_pb2.CreateSurveyRequest(survey=survey)).survey

    def get_survey(self, survey_id: str) -> survey_pb2.Survey:
        """Return one survey; raises NpsError with NOT_FOUND when it does not exist."""
        return self.call(self.surveys.GetSurvey, survey_pb2.GetSurveyRequest(survey_id=survey_id)).survey

    def get_nps(
        self,
        survey_id: str,
        *,
        group_by: Sequence[str | query_pb2.AttributeRef] = (),
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        **fields,
    ) -> query_pb2.GetNpsResponse:
        """Return the NPS of a survey, overall and per group.

        ``group_by`` takes response attribute keys as strings, or AttributeRef messages for
        customer attributes. Datetimes must be timezone-aware. Any other GetNpsRequest field
        (filters, min_sample_size, interval_method, page_token...) can be passed by name.
        """
        request = query_pb2.GetNpsRequest(survey_id=survey_id, group_by=[_attribute_ref(key) for key in group_by], **fields)
        if start_time is not None:
            request.start_time.CopyFrom(to_timestamp(start_time))
        if end_time is not None:
            request.end_time.CopyFrom(to_timestamp(end_time))
        return self.call(self.query.GetNps, request)

    def stream_responses(
        self,
        survey_id: str,
        batches: Iterable[Sequence[ingest_pb2.SurveyResponse]],
        *,
        batch_id_prefix: str | None = None,
        timeout: float | None = None,
    ) -> list[ingest_pb2.ResponseBatchResult]:
        """Send batches of responses on one StreamResponses stream and return every acknowledgement.

        Batch ``n`` (0-based) gets the id ``{batch_id_prefix}-{n}``; the prefix defaults to a
        random UUID. The results come back in batch order, one per batch, each sent by the server
        after that batch was committed.

        When the stream fails with UNAVAILABLE, a new stream resends the batches not yet
        acknowledged, with the same ids, and then goes on with the rest. Resending is safe because
        the server stores each response id once and counts an identical resend as a duplicate.
        Batches are pulled from ``batches`` lazily and kept in memory only until acknowledged.
        Each acknowledgement resets the retry count, so a long stream survives any number of
        separate outages that each fit in the retry policy.

        Raises NpsError when the stream fails otherwise, or when retries or the deadline run out.
        Its ``acknowledged_batch_ids`` lists the batches acknowledged before the failure, which
        are the first batches of ``batches``, so the caller resends only the rest.
        """
        prefix = batch_id_prefix or uuid.uuid4().hex
        stream = _BatchStream(survey_id, iter(batches), prefix)
        deadline = Deadline(self._stream_timeout if timeout is None else timeout)
        results: list[ingest_pb2.ResponseBatchResult] = []
        attempt = 1
        while True:
            call = self.ingest.StreamResponses(
                stream.requests(), timeout=deadline.remaining(), metadata=self._metadata
            )
            try:
                for answer in call:
                    results.append(stream.acknowledge(answer.result))
                    # An acknowledgement is progress, so the next outage gets every attempt of the policy again.
                    attempt = 1
                break
            except NpsError as error:
                call.cancel()
                raise error.with_acknowledged(_batch_ids(results)) from None
            except grpc.RpcError as error:
                wait = self._retry.backoff(attempt)
                if not self._should_retry(error, attempt, deadline, wait):
                    raise NpsError.from_rpc_error(error).with_acknowledged(_batch_ids(results)) from None
                time.sleep(wait)
                attempt += 1
                stream.restart()

        stream.raise_source_error()
        try:
            stream.check_all_acknowledged()
        except NpsError as error:
            raise error.with_acknowledged(_batch_ids(results)) from None
        return results

    def _should_retry(self, error: grpc.RpcError, attempt: int, deadline: Deadline, wait: float) -> bool:
        return is_retryable(error) and attempt < self._retry.max_attempts and deadline.allows_wait(wait)


class _BatchStream:
    """The request side of a resumable StreamResponses call.

    gRPC reads a request iterator on its own thread, so the pending queue and the source iterator
    are only touched under a lock. Each stream attempt has a generation number: once a retry
    starts, the iterator of the failed attempt stops pulling from the source, and everything it
    pulled is still in ``pending`` for the next attempt to resend.
    """

    def __init__(self, survey_id: str, source, prefix: str):
        self._survey_id = survey_id
        self._source = source
        self._prefix = prefix
        self._lock = threading.Lock()
        self._pending: deque[ingest_pb2.StreamResponsesRequest] = deque()
        self._generation = 0
        self._next_index = 0
        self._source_error: BaseException | None = None

    def requests(self):
        with self._lock:
            generation = self._generation
            resend = list(self._pending)
        yield from resend

        while True:
            with self._lock:
                if generation != self._generation:
                    return
                try:
                    batch = next(self._source)
                    request = ingest_pb2.StreamResponsesRequest(
                        survey_id=self._survey_id, batch_id=f"{self._prefix}-{self._next_index}", responses=batch
                    )
                except StopIteration:
                    return
                except Exception as error:  # noqa: BLE001 - re-raised on the caller's thread
                    # Ending the request stream lets the server acknowledge what was sent, and the
                    # caller then gets this error instead of a cancelled call. A batch that is not
                    # a sequence of SurveyResponse messages fails here too.
                    self._source_error = error
                    return
                self._next_index += 1
                self._pending.append(request)
            yield request

    def acknowledge(self, result: ingest_pb2.ResponseBatchResult) -> ingest_pb2.ResponseBatchResult:
        with self._lock:
            expected = self._pending[0].batch_id if self._pending else None
            if result.batch_id != expected:
                raise NpsError(
                    grpc.StatusCode.INTERNAL,
                    f"the server acknowledged batch {result.batch_id!r} but batch {expected!r} was next",
                )
            self._pending.popleft()
        return result

    def check_all_acknowledged(self) -> None:
        with self._lock:
            if self._pending:
                raise NpsError(
                    grpc.StatusCode.INTERNAL,
                    f"the stream ended without acknowledging batch {self._pending[0].batch_id!r}",
                )

    def restart(self) -> None:
        with self._lock:
            self._generation += 1

    def raise_source_error(self) -> None:
        if self._source_error is not None:
            raise self._source_error


def _batch_ids(results: list[ingest_pb2.ResponseBatchResult]) -> tuple[str, ...]:
    return tuple(result.batch_id for result in results)


def _authorization_metadata(api_key: str | None) -> tuple[tuple[str, str], ...]:
    """Return the ``authorization`` metadata of a key, trimmed, or none for a missing key.

    gRPC accepts only printable ASCII (0x20 to 0x7E) in a text metadata value, and grpcio reports
    any other character in a ValueError that prints the whole value. This check raises first,
    with the position and the code point of the character but never the key.
    """
    if api_key is None:
        return ()
    key = api_key.strip()
    if not key:
        return ()
    for position, character in enumerate(key, start=1):
        if not " " <= character <= "~":
            kind = "a control character" if character.isascii() else "a non-ASCII character"
            raise ValueError(
                f"invalid API key: character {position} of {len(key)} is {kind} "
                f"(U+{ord(character):04X}), which an HTTP header value cannot contain; "
                "check the file or variable the key came from"
            )
    return (("authorization", f"Bearer {key}"),)


def to_timestamp(value: datetime) -> Timestamp:
    """Convert a timezone-aware datetime to a protobuf Timestamp."""
    if value.tzinfo is None:
        raise ValueError(f"datetime {value.isoformat()} has no time zone; use an aware datetime such as one in UTC")
    timestamp = Timestamp()
    timestamp.FromDatetime(value)
    return timestamp


def survey_response(
    response_id: str,
    customer_id: str,
    score: int,
    responded_at: datetime,
    *,
    comment: str = "",
    attributes: dict[str, str] | None = None,
    weight: float | None = None,
) -> ingest_pb2.SurveyResponse:
    """Build a SurveyResponse message; ``responded_at`` must be timezone-aware."""
    response = ingest_pb2.SurveyResponse(
        response_id=response_id,
        customer_id=customer_id,
        score=score,
        comment=comment,
        attributes=attributes or {},
    )
    response.responded_at.CopyFrom(to_timestamp(responded_at))
    if weight is not None:
        response.weight = weight
    return response


def _attribute_ref(key: str | query_pb2.AttributeRef) -> query_pb2.AttributeRef:
    if isinstance(key, query_pb2.AttributeRef):
        return key
    return query_pb2.AttributeRef(key=key, scope=query_pb2.ATTRIBUTE_SCOPE_RESPONSE)

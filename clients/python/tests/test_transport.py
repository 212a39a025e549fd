"""Retries, deadlines, API keys and stream resumption, against an in-process gRPC server whose
failures each test scripts, because the real server cannot be made UNAVAILABLE on demand."""

from __future__ import annotations

import subprocess
import threading
from concurrent import futures
from datetime import datetime, timezone

import grpc
import pytest

from nps.v1 import ingest_pb2, ingest_pb2_grpc, survey_pb2, survey_pb2_grpc
from npsgrpc import NpsClient, NpsError, RetryPolicy, survey_response

FAST_RETRY = RetryPolicy(max_attempts=4, initial_backoff=0.01, max_backoff=0.05)


class ScriptedSurveys(survey_pb2_grpc.SurveyServiceServicer):
    """GetSurvey fails with the scripted codes in order, then succeeds; it records each call's metadata."""

    def __init__(self, failures: list[grpc.StatusCode]):
        self.failures = list(failures)
        self.metadata: list[dict[str, str]] = []

    def GetSurvey(self, request, context):
        self.metadata.append(dict(context.invocation_metadata()))
        if self.failures:
            context.abort(self.failures.pop(0), "scripted failure")
        return survey_pb2.GetSurveyResponse(survey=survey_pb2.Survey(survey_id=request.survey_id))

    def ListSurveys(self, request, context):
        # Waits until the client's deadline cancels the call.
        done = threading.Event()
        context.add_callback(done.set)
        done.wait(30)
        return survey_pb2.ListSurveysResponse()


class ScriptedIngest(ingest_pb2_grpc.IngestServiceServicer):
    """StreamResponses acknowledges every batch, except that the first stream fails with
    UNAVAILABLE after acknowledging ``fail_after`` batches, and that no batch after the first
    ``acknowledge_limit`` is acknowledged. Records the batch ids of each stream."""

    def __init__(self, fail_after: int, acknowledge_limit: int | None = None):
        self.fail_after = fail_after
        self.acknowledge_limit = acknowledge_limit
        self.streams: list[list[str]] = []

    def StreamResponses(self, request_iterator, context):
        received: list[str] = []
        self.streams.append(received)
        first_stream = len(self.streams) == 1
        for request in request_iterator:
            received.append(request.batch_id)
            if first_stream and len(received) > self.fail_after:
                context.abort(grpc.StatusCode.UNAVAILABLE, "scripted failure")
            if self.acknowledge_limit is not None and len(received) > self.acknowledge_limit:
                continue
            result = ingest_pb2.ResponseBatchResult(batch_id=request.batch_id, accepted_count=len(request.responses))
            yield ingest_pb2.StreamResponsesResponse(result=result)


class FlakyIngest(ingest_pb2_grpc.IngestServiceServicer):
    """StreamResponses stream ``i`` acknowledges ``acknowledged_per_stream[i]`` batches and then
    fails with UNAVAILABLE at the next batch; streams past the end of the list acknowledge every
    batch. Records the batch ids of each stream."""

    def __init__(self, acknowledged_per_stream: list[int]):
        self.acknowledged_per_stream = acknowledged_per_stream
        self.streams: list[list[str]] = []

    def StreamResponses(self, request_iterator, context):
        received: list[str] = []
        index = len(self.streams)
        self.streams.append(received)
        for request in request_iterator:
            received.append(request.batch_id)
            if index < len(self.acknowledged_per_stream) and len(received) > self.acknowledged_per_stream[index]:
                context.abort(grpc.StatusCode.UNAVAILABLE, "scripted failure")
            result = ingest_pb2.ResponseBatchResult(batch_id=request.batch_id, accepted_count=len(request.responses))
            yield ingest_pb2.StreamResponsesResponse(result=result)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[bytes, bytes]:
    """A self-signed certificate for 127.0.0.1, as (private key PEM, certificate PEM)."""
    folder = tmp_path_factory.mktemp("tls")
    key_path, certificate_path = folder / "key.pem", folder / "certificate.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key_path), "-out", str(certificate_path)],
        check=True,
        capture_output=True,
    )
    return key_path.read_bytes(), certificate_path.read_bytes()


@pytest.fixture
def scripted_server():
    servers = []

    def start(surveys=None, ingest=None, tls: tuple[bytes, bytes] | None = None) -> str:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        if surveys is not None:
            survey_pb2_grpc.add_SurveyServiceServicer_to_server(surveys, server)
        if ingest is not None:
            ingest_pb2_grpc.add_IngestServiceServicer_to_server(ingest, server)
        if tls is None:
            port = server.add_insecure_port("127.0.0.1:0")
        else:
            port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([tls]))
        server.start()
        servers.append(server)
        return f"127.0.0.1:{port}"

    yield start
    for server in servers:
        server.stop(grace=None)


def one_response(index: int) -> ingest_pb2.SurveyResponse:
    return survey_response(f"r-{index}", "c-1", 9, datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_call_retries_unavailable_then_succeeds(scripted_server):
    surveys = ScriptedSurveys([grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE])
    with NpsClient(scripted_server(surveys=surveys), retry=FAST_RETRY) as client:
        survey = client.get_survey("s-1")

    assert survey.survey_id == "s-1"
    assert len(surveys.metadata) == 3


def test_call_gives_up_after_max_attempts(scripted_server):
    surveys = ScriptedSurveys([grpc.StatusCode.UNAVAILABLE] * 10)
    with NpsClient(scripted_server(surveys=surveys), retry=FAST_RETRY) as client:
        with pytest.raises(NpsError) as raised:
            client.get_survey("s-1")

    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert len(surveys.metadata) == FAST_RETRY.max_attempts


def test_call_does_not_retry_invalid_argument(scripted_server):
    surveys = ScriptedSurveys([grpc.StatusCode.INVALID_ARGUMENT])
    with NpsClient(scripted_server(surveys=surveys), retry=FAST_RETRY) as client:
        with pytest.raises(NpsError) as raised:
            client.get_survey("s-1")

    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.message == "scripted failure"
    assert len(surveys.metadata) == 1


def test_call_sends_api_key_as_bearer(scripted_server):
    surveys = ScriptedSurveys([grpc.StatusCode.UNAVAILABLE])
    with NpsClient(scripted_server(surveys=surveys), api_key="k-123", retry=FAST_RETRY) as client:
        client.get_survey("s-1")

    assert [metadata.get("authorization") for metadata in surveys.metadata] == ["Bearer k-123", "Bearer k-123"]


def test_api_key_trailing_newline_trimmed(scripted_server):
    surveys = ScriptedSurveys([])
    with NpsClient(scripted_server(surveys=surveys), api_key=" k-123\r\n", retry=FAST_RETRY) as client:
        client.get_survey("s-1")

    assert surveys.metadata[0].get("authorization") == "Bearer k-123"


def test_api_key_whitespace_only_sends_none(scripted_server):
    surveys = ScriptedSurveys([])
    with NpsClient(scripted_server(surveys=surveys), api_key=" \n", retry=FAST_RETRY) as client:
        client.get_survey("s-1")

    assert "authorization" not in surveys.metadata[0]


@pytest.mark.parametrize(
    ("api_key", "position", "kind"),
    [
        ("nps_secret\nsecond-line", 11, "control character (U+000A)"),
        ("nps_sec\tret", 8, "control character (U+0009)"),
        ("nps_sec\x7fret", 8, "control character (U+007F)"),
        ("nps_s\u00e9cret", 6, "non-ASCII character (U+00E9)"),
    ],
)
def test_api_key_invalid_character_rejected(api_key, position, kind):
    with pytest.raises(ValueError) as raised:
        NpsClient("127.0.0.1:1", api_key=api_key)

    message = str(raised.value)
    assert f"character {position} of {len(api_key)}" in message
    assert kind in message
    assert "secret" not in message
    assert "sec" not in message


def test_call_without_key_sends_no_authorization(scripted_server):
    surveys = ScriptedSurveys([])
    with NpsClient(scripted_server(surveys=surveys)) as client:
        client.get_survey("s-1")

    assert "authorization" not in surveys.metadata[0]


def test_call_over_tls_with_key(scripted_server, certificate):
    surveys = ScriptedSurveys([])
    target = scripted_server(surveys=surveys, tls=certificate)
    with NpsClient(target, api_key="k-tls", tls=True, root_certificates=certificate[1]) as client:
        survey = client.get_survey("s-tls")

    assert survey.survey_id == "s-tls"
    assert surveys.metadata[0].get("authorization") == "Bearer k-tls"


def test_plaintext_client_tls_server_unavailable(scripted_server, certificate):
    surveys = ScriptedSurveys([])
    target = scripted_server(surveys=surveys, tls=certificate)
    with NpsClient(target, retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(NpsError) as raised:
            client.get_survey("s-tls")

    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert surveys.metadata == []


def test_call_default_deadline_exceeded(scripted_server):
    with NpsClient(scripted_server(surveys=ScriptedSurveys([])), timeout=0.2) as client:
        with pytest.raises(NpsError) as raised:
            client.call(client.surveys.ListSurveys, survey_pb2.ListSurveysRequest())

    assert raised.value.code == grpc.StatusCode.DEADLINE_EXCEEDED


def test_stream_resends_unacknowledged_batches(scripted_server):
    ingest = ScriptedIngest(fail_after=2)
    batches = [[one_response(index)] for index in range(5)]
    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        results = client.stream_responses("s-1", batches, batch_id_prefix="b")

    assert [result.batch_id for result in results] == ["b-0", "b-1", "b-2", "b-3", "b-4"]
    assert ingest.streams[0][:3] == ["b-0", "b-1", "b-2"]
    assert ingest.streams[1][0] == "b-2"
    assert ingest.streams[1] == ["b-2", "b-3", "b-4"]


def test_stream_accepts_generator(scripted_server):
    ingest = ScriptedIngest(fail_after=100)
    pulled = []

    def batches():
        for index in range(3):
            pulled.append(index)
            yield [one_response(index)]

    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        results = client.stream_responses("s-1", batches(), batch_id_prefix="gen")

    assert pulled == [0, 1, 2]
    assert [result.accepted_count for result in results] == [1, 1, 1]


def test_stream_source_error_raised_after_acks(scripted_server):
    ingest = ScriptedIngest(fail_after=100)

    def batches():
        yield [one_response(0)]
        raise ValueError("bad input file")

    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        with pytest.raises(ValueError, match="bad input file"):
            client.stream_responses("s-1", batches(), batch_id_prefix="src")

    assert ingest.streams == [["src-0"]]


def test_stream_invalid_batch_raised(scripted_server):
    ingest = ScriptedIngest(fail_after=100)
    batches = [[one_response(0)], ["not a response"]]
    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        with pytest.raises(TypeError):
            client.stream_responses("s-1", batches, batch_id_prefix="bad")

    assert ingest.streams == [["bad-0"]]


def test_stream_missing_acknowledgement_raises(scripted_server):
    ingest = ScriptedIngest(fail_after=100, acknowledge_limit=1)
    batches = [[one_response(index)] for index in range(2)]
    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        with pytest.raises(NpsError) as raised:
            client.stream_responses("s-1", batches, batch_id_prefix="ack")

    assert raised.value.code == grpc.StatusCode.INTERNAL
    assert "'ack-1'" in raised.value.message


def test_stream_retry_count_resets_on_ack(scripted_server):
    # Every stream fails once after one acknowledgement: seven failures in all, more than the
    # four attempts of FAST_RETRY, but never two in a row without progress.
    ingest = FlakyIngest([1] * 7)
    batches = [[one_response(index)] for index in range(8)]
    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        results = client.stream_responses("s-1", batches, batch_id_prefix="blip")

    assert [result.batch_id for result in results] == [f"blip-{index}" for index in range(8)]
    assert len(ingest.streams) == 8
    assert ingest.streams[1][0] == "blip-1"


def test_stream_gives_up_with_acknowledged_ids(scripted_server):
    ingest = FlakyIngest([2] + [0] * 10)
    batches = [[one_response(index)] for index in range(5)]
    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        with pytest.raises(NpsError) as raised:
            client.stream_responses("s-1", batches, batch_id_prefix="up")

    error = raised.value
    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert error.acknowledged_batch_ids == ("up-0", "up-1")
    assert error.acknowledged_count == 2
    assert "acknowledged 2 batches (up-0 to up-1)" in str(error)
    assert len(ingest.streams) == 1 + FAST_RETRY.max_attempts - 1


def test_stream_gives_up_before_any_ack(scripted_server):
    ingest = FlakyIngest([0] * 10)
    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        with pytest.raises(NpsError) as raised:
            client.stream_responses("s-1", [[one_response(0)]], batch_id_prefix="none")

    assert raised.value.acknowledged_batch_ids == ()
    assert raised.value.acknowledged_count == 0
    assert "resend every batch" in str(raised.value)


def test_stream_missing_ack_lists_acknowledged(scripted_server):
    ingest = ScriptedIngest(fail_after=100, acknowledge_limit=1)
    batches = [[one_response(index)] for index in range(2)]
    with NpsClient(scripted_server(ingest=ingest), retry=FAST_RETRY) as client:
        with pytest.raises(NpsError) as raised:
            client.stream_responses("s-1", batches, batch_id_prefix="ack")

    assert raised.value.acknowledged_batch_ids == ("ack-0",)
    assert "acknowledged 1 batch (ack-0)" in str(raised.value)


def test_unary_error_has_no_acknowledged_ids(scripted_server):
    surveys = ScriptedSurveys([grpc.StatusCode.NOT_FOUND])
    with NpsClient(scripted_server(surveys=surveys), retry=FAST_RETRY) as client:
        with pytest.raises(NpsError) as raised:
            client.get_survey("s-1")

    assert raised.value.acknowledged_batch_ids is None
    assert raised.value.acknowledged_count is None


def test_default_policy_covers_restart():
    policy = RetryPolicy()
    ceilings = [min(10.0, 0.5 * 2.0 ** (retry - 1)) for retry in range(1, policy.max_attempts)]
    minimum_total = sum(ceiling / 2 for ceiling in ceilings)

    assert policy.max_attempts == 10
    assert minimum_total >= 25.0
    assert max(ceilings) == 10.0
    for retry, ceiling in enumerate(ceilings, start=1):
        assert policy.ceiling(retry) == ceiling


def test_retry_policy_rejects_zero_attempts():
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_retry_backoff_within_ceiling():
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=1.0, multiplier=2.0)
    for retry, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (5, 1.0), (9, 1.0)]:
        for _ in range(50):
            wait = policy.backoff(retry)
            assert wait >= ceiling / 2
            assert wait <= ceiling

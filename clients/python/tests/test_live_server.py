"""NpsClient against the real server: ingest, queries and the errors the server sends."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import grpc
import pytest

from nps.v1 import ingest_pb2, query_pb2
from npsgrpc import NpsError, survey_response

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def expected_nps(scores: list[int]) -> float:
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return 100.0 * (promoters - detractors) / len(scores)


def make_responses(scores: list[int], channel: str, first_index: int = 0) -> list[ingest_pb2.SurveyResponse]:
    return [
        survey_response(
            f"r-{channel}-{first_index + index}",
            f"c-{first_index + index}",
            score,
            START + timedelta(minutes=first_index + index),
            attributes={"channel": channel},
        )
        for index, score in enumerate(scores)
    ]


def test_stream_responses_acknowledges_batches(client, survey_id):
    batches = [make_responses([10, 9, 10], "web"), make_responses([8, 7], "web", 3), make_responses([5], "web", 5)]

    results = client.stream_responses(survey_id, batches, batch_id_prefix="load")

    assert [result.batch_id for result in results] == ["load-0", "load-1", "load-2"]
    assert [result.accepted_count for result in results] == [3, 2, 1]
    assert all(result.duplicate_count == 0 for result in results)
    assert all(result.rejected_count == 0 for result in results)


def test_stream_responses_resend_counts_duplicates(client, survey_id):
    batches = [make_responses([10, 6, 9], "app")]
    client.stream_responses(survey_id, batches)

    results = client.stream_responses(survey_id, batches)

    assert results[0].accepted_count == 0
    assert results[0].duplicate_count == 3


def test_stream_responses_reports_rejected_item(client, survey_id):
    batch = make_responses([9, 10], "web")
    batch[1].score = 11

    results = client.stream_responses(survey_id, [batch])

    assert results[0].accepted_count == 1
    assert results[0].rejected_count == 1
    rejection = results[0].rejections[0]
    assert rejection.index == 1
    assert rejection.field_path == "score"
    assert rejection.reason == ingest_pb2.REJECTION_REASON_INVALID


def test_get_nps_overall_and_by_channel(client, survey_id):
    web_scores = [10, 9, 10, 8, 7, 5, 6, 9, 10]
    app_scores = [9, 8, 6]
    client.stream_responses(survey_id, [make_responses(web_scores, "web"), make_responses(app_scores, "app", 100)])

    answer = client.get_nps(survey_id, group_by=["channel"], min_sample_size=1)

    assert answer.overall.response_count == len(web_scores) + len(app_scores)
    assert answer.overall.nps == pytest.approx(expected_nps(web_scores + app_scores))
    by_channel = {group.keys[0].value: group.statistics for group in answer.groups}
    assert set(by_channel) == {"web", "app"}
    assert by_channel["web"].nps == pytest.approx(33.333333, abs=1e-4)
    assert by_channel["web"].nps == pytest.approx(expected_nps(web_scores))
    assert by_channel["app"].nps == pytest.approx(0.0)
    assert by_channel["app"].promoter_count == 1


def test_get_nps_time_range_excludes_later(client, survey_id):
    client.stream_responses(survey_id, [make_responses([10, 0, 0], "web")])

    answer = client.get_nps(survey_id, start_time=START, end_time=START + timedelta(minutes=1))

    assert answer.overall.response_count == 1
    assert answer.overall.nps == pytest.approx(100.0)


def test_get_nps_customer_scope_group(client, survey_id):
    client.stream_responses(survey_id, [make_responses([10, 3], "web")])
    region = query_pb2.AttributeRef(key="region", scope=query_pb2.ATTRIBUTE_SCOPE_CUSTOMER)

    answer = client.get_nps(survey_id, group_by=[region])

    assert len(answer.groups) == 1
    assert not answer.groups[0].keys[0].HasField("value")
    assert answer.groups[0].statistics.response_count == 2


def test_create_survey_invalid_id_field_violation(client):
    with pytest.raises(NpsError) as raised:
        client.create_survey("Not A Valid Id!", "Bad id")

    error = raised.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert len(error.field_violations) == 1
    assert error.field_violations[0].field == "survey.survey_id"
    assert "Not A Valid Id!" in error.field_violations[0].description
    assert "survey.survey_id:" in str(error)


def test_get_nps_confidence_level_field_violation(client, survey_id):
    with pytest.raises(NpsError) as raised:
        client.get_nps(survey_id, confidence_level=1.5)

    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [violation.field for violation in raised.value.field_violations] == ["confidence_level"]
    assert "1.5" in raised.value.field_violations[0].description


def test_stream_responses_unknown_survey_not_found(client):
    unknown = f"py-missing-{uuid.uuid4().hex[:12]}"

    with pytest.raises(NpsError) as raised:
        client.stream_responses(unknown, [make_responses([9], "web")])

    assert raised.value.code == grpc.StatusCode.NOT_FOUND
    assert raised.value.field_violations == ()


def test_stream_responses_malformed_survey_id(client):
    with pytest.raises(NpsError) as raised:
        client.stream_responses("UPPER CASE", [make_responses([9], "web")])

    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.field_violations[0].field == "survey_id"
    assert "UPPER CASE" in raised.value.field_violations[0].description


def test_create_survey_twice_already_exists(client, survey_id):
    with pytest.raises(NpsError) as raised:
        client.create_survey(survey_id, "Second")

    assert raised.value.code == grpc.StatusCode.ALREADY_EXISTS
    assert survey_id in raised.value.message


def test_get_survey_returns_created(client, survey_id):
    survey = client.get_survey(survey_id)

    assert survey.survey_id == survey_id
    assert survey.create_time.seconds > 0

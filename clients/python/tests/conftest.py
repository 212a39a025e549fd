"""Fixtures of the Python client tests: one live server per test session, one client per test."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

# The tests import the client from the source tree, without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from npsgrpc import NpsClient  # noqa: E402
from server import start_server  # noqa: E402


@pytest.fixture(scope="session")
def server():
    running = start_server()
    yield running
    running.stop()


@pytest.fixture
def client(server):
    with NpsClient(server.target, api_key=server.api_key) as nps_client:
        yield nps_client


@pytest.fixture
def survey_id(client):
    """A new survey owned by one test."""
    identifier = f"py-{uuid.uuid4().hex}"
    client.create_survey(identifier, f"Python client test {identifier}")
    return identifier

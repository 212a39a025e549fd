"""Python client of the NpsGrpc API (package nps.v1).

The generated messages and stubs are in the ``nps.v1`` package; :class:`NpsClient` wraps them with
API keys, deadlines, retries and readable errors.
"""

from npsgrpc.client import NpsClient, survey_response, to_timestamp
from npsgrpc.errors import FieldViolation, NpsError
from npsgrpc.retry import RetryPolicy

__all__ = ["FieldViolation", "NpsClient", "NpsError", "RetryPolicy", "survey_response", "to_timestamp"]

"""Exponential backoff with jitter for calls that fail with UNAVAILABLE."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import grpc


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before calling again after UNAVAILABLE.

    The wait before retry ``k`` (1-based) is drawn uniformly from
    ``[0, min(max_backoff, initial_backoff * multiplier ** (k - 1))]`` ("full jitter"), so many
    clients that lost the same server do not come back in step. Times are in seconds.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.2
    max_backoff: float = 5.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("initial_backoff and max_backoff must not be negative")
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be at least 1, got {self.multiplier}")

    def backoff(self, retry: int) -> float:
        """Return the wait in seconds before retry number ``retry`` (1-based)."""
        ceiling = min(self.max_backoff, self.initial_backoff * self.multiplier ** (retry - 1))
        return random.uniform(0, ceiling)


def is_retryable(error: grpc.RpcError) -> bool:
    """Return whether a failed call may be sent again: only UNAVAILABLE qualifies."""
    return isinstance(error, grpc.Call) and error.code() == grpc.StatusCode.UNAVAILABLE


class Deadline:
    """An absolute deadline shared by every attempt of one call, or none when ``timeout`` is None."""

    def __init__(self, timeout: float | None):
        self._end = None if timeout is None else time.monotonic() + timeout

    def remaining(self) -> float | None:
        """Return the seconds left (at least 0), or None without a deadline."""
        if self._end is None:
            return None
        return max(0.0, self._end - time.monotonic())

    def allows_wait(self, seconds: float) -> bool:
        """Return whether waiting ``seconds`` still leaves time for another attempt."""
        left = self.remaining()
        return left is None or left > seconds

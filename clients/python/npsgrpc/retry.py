"""Exponential backoff with jitter for calls that fail with UNAVAILABLE."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import grpc


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before calling again after UNAVAILABLE.

    The wait before retry ``k`` (1-based) is drawn uniformly from ``[c / 2, c]``, where
    ``c = min(max_backoff, initial_backoff * multiplier ** (k - 1))``. The random half keeps many
    clients that lost the same server from coming back in step, and the fixed half keeps the sum
    of the waits from falling far below the sum of the ceilings. Times are in seconds.

    The defaults wait between 27.75 s and 55.5 s in total over their 9 retries (ceilings 0.5, 1,
    2, 4, 8 and then 10 s), long enough for a typical PostgreSQL restart. The call's deadline
    still ends the retries first when it is shorter.
    """

    max_attempts: int = 10
    initial_backoff: float = 0.5
    max_backoff: float = 10.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("initial_backoff and max_backoff must not be negative")
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be at least 1, got {self.multiplier}")

    def ceiling(self, retry: int) -> float:
        """Return the longest wait in seconds before retry number ``retry`` (1-based)."""
        return min(self.max_backoff, self.initial_backoff * self.multiplier ** (retry - 1))

    def backoff(self, retry: int) -> float:
        """Return a random wait in seconds before retry number ``retry`` (1-based)."""
        ceiling = self.ceiling(retry)
        return random.uniform(ceiling / 2, ceiling)


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

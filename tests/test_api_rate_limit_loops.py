"""The API's rate limiter across event loops: its storage is loop-bound, so each loop gets its own (a test
client opened twice in one process once got "bound to a different event loop" and a 500 for the buyer)."""

from __future__ import annotations

import asyncio

import pytest

from assistant.settings import Settings
from ui.api.errors import ApiError
from ui.api.rate_limits import RateLimits


@pytest.fixture
def limits(tmp_path):
    return RateLimits(Settings(home=tmp_path, api_rate_limit_ip="3/minute"))


def test_one_loop_keeps_one_limiter_and_counts_across_calls(limits):
    async def four_hits():
        for _ in range(3):
            await limits.client("203.0.113.7")
        with pytest.raises(ApiError) as refused:
            await limits.client("203.0.113.7")
        return refused.value

    refused = asyncio.run(four_hits())
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_second_loop_is_not_stopped_by_locks_the_first_left_behind(limits):
    async def leave_locks_bound_and_held():
        await limits.client("192.0.2.1")
        for lock in list(limits._limiter.storage.locks.values()):
            await lock.acquire()
            waiter = asyncio.ensure_future(lock.acquire())  # contention binds the lock to this loop
            await asyncio.sleep(0)
            waiter.cancel()
        return limits._limiter

    first = asyncio.run(leave_locks_bound_and_held())
    # Before: RuntimeError "... is bound to a different event loop", a 500 for the buyer.
    asyncio.run(limits.client("192.0.2.1"))
    assert limits._limiter is not first

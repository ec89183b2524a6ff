"""Per-client-IP and per-conversation rate limits (the `limits` library, moving windows), refused with 429
and a `Retry-After` that says when the oldest counted request leaves the window.

The limiter's storage is bound to the event loop that first used it (the in-memory storage's locks, a
Redis client's connections), so one is built per running loop: uvicorn runs one loop per process, but a
second loop in the same process (a test client opened again) got "bound to a different event loop" and a
500 for the buyer."""

from __future__ import annotations

import asyncio
import math
import time

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from assistant.settings import Settings
from ui.api.errors import ApiError, ErrorCode


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        url = settings.api_rate_limit_storage
        self._storage_url = url if url.startswith("async+") else f"async+{url}"
        self._limiter = MovingWindowRateLimiter(storage_from_string(self._storage_url))
        self._loop: asyncio.AbstractEventLoop | None = None
        self.per_ip = parse(settings.api_rate_limit_ip)
        self.per_conversation = parse(settings.api_rate_limit_conversation)

    async def client(self, ip: str) -> None:
        await self._hit(self.per_ip, "ip", ip, what="from this address")

    async def conversation(self, conversation_id: str) -> None:
        await self._hit(self.per_conversation, "conversation", conversation_id, what="in this conversation")

    def _limiter_for_this_loop(self) -> MovingWindowRateLimiter:
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            self._limiter = MovingWindowRateLimiter(storage_from_string(self._storage_url))
        self._loop = loop
        return self._limiter

    async def _hit(self, item: RateLimitItem, *keys: str, what: str) -> None:
        limiter = self._limiter_for_this_loop()
        if await limiter.hit(item, *keys):
            return
        stats = await limiter.get_window_stats(item, *keys)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise ApiError(
            429,
            ErrorCode.RATE_LIMITED,
            f"too many requests {what}: the limit is {item}; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )

"""Per-client-IP and per-conversation rate limits (the `limits` library, moving windows), refused with 429
and a `Retry-After` that says when the oldest counted request leaves the window."""

from __future__ import annotations

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
        self._limiter = MovingWindowRateLimiter(
            storage_from_string(url if url.startswith("async+") else f"async+{url}")
        )
        self.per_ip = parse(settings.api_rate_limit_ip)
        self.per_conversation = parse(settings.api_rate_limit_conversation)

    async def client(self, ip: str) -> None:
        await self._hit(self.per_ip, "ip", ip, what="from this address")

    async def conversation(self, conversation_id: str) -> None:
        await self._hit(self.per_conversation, "conversation", conversation_id, what="in this conversation")

    async def _hit(self, item: RateLimitItem, *keys: str, what: str) -> None:
        if await self._limiter.hit(item, *keys):
            return
        stats = await self._limiter.get_window_stats(item, *keys)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise ApiError(
            429,
            ErrorCode.RATE_LIMITED,
            f"too many requests {what}: the limit is {item}; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )

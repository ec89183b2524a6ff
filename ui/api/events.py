"""One buyer turn as server-sent events: `token` events as the answer is composed, then one `answer` event
with the whole answer (or one `error` event). The turn runs in a worker thread; the stored turn is the
same whether or not the client stays to the end.

An LLM composer streams its tokens as it writes; its final text may differ (the grounding check drops
unsupported sentences), so clients replace the streamed text with the `answer` event's text. The offline
extractive composer composes at once: its answer is sent word by word, then the same `answer` event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from anyio import to_thread
from fastapi.sse import KEEPALIVE_COMMENT, format_sse_event

from assistant.pipeline import MessageRejected
from assistant.service import ChatService, Turn, UnknownConversation
from ui.api.answers import answer_event
from ui.api.errors import INTERNAL_MESSAGE, ErrorCode, error_body

log = logging.getLogger("lastmile.api")
WORDS = re.compile(r"\S+\s*")
KEEPALIVE_S = 15.0  # a comment line this often while a queued turn waits, so proxies keep the stream open


def sse(event: str, data: dict[str, Any]) -> bytes:
    return format_sse_event(event=event, data_str=json.dumps(data, ensure_ascii=False))


async def turn_events(chat: ChatService, conversation_id: str, text: str) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    tokens: asyncio.Queue[str | None] = asyncio.Queue()

    def on_token(token: str) -> None:  # called on the worker thread
        loop.call_soon_threadsafe(tokens.put_nowait, token)

    work = asyncio.ensure_future(
        to_thread.run_sync(partial(chat.ask, conversation_id, text, on_token=on_token))
    )
    work.add_done_callback(partial(_finished, tokens))
    streamed = False
    while True:
        try:
            token = await asyncio.wait_for(tokens.get(), timeout=KEEPALIVE_S)
        except TimeoutError:
            yield KEEPALIVE_COMMENT
            continue
        if token is None:
            break
        streamed = True
        yield sse("token", {"text": token})
    try:
        turn: Turn = work.result()
    except MessageRejected as error:
        yield sse("error", error_body(ErrorCode.MESSAGE_REJECTED, str(error)))
        return
    except UnknownConversation:
        yield sse("error", error_body(ErrorCode.CONVERSATION_NOT_FOUND, "no such conversation"))
        return
    except Exception:
        log.exception("a turn failed in conversation %s", conversation_id)
        yield sse("error", error_body(ErrorCode.INTERNAL, INTERNAL_MESSAGE))
        return
    if not streamed:
        for word in WORDS.findall(turn.answer.text):
            yield sse("token", {"text": word})
    event = answer_event(turn.message_id, turn.answer.text, turn.answer.as_dict(), handoff_id=turn.handoff_id)
    yield sse("answer", event.model_dump(mode="json"))


def _finished(tokens: asyncio.Queue[str | None], work: asyncio.Future) -> None:
    """Ends the token stream (after every token already queued) and marks a failure as seen, so a turn
    whose client left early never logs 'exception was never retrieved'."""
    if not work.cancelled():
        work.exception()
    tokens.put_nowait(None)

"""The /v1 routes: create a conversation, send a message (SSE), read the transcript, request a human, end.

Every call counts against the caller's IP; a message or a human request also counts against its
conversation. The conversation token (`Authorization: Bearer ...`) authorises each call on a
conversation; an unknown conversation and a token that is not its token get the same 404.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.pipeline import MessageRejected, check_message
from assistant.service import ChatService, ContactError, UnknownConversation, attribution_from
from ui.api import schemas
from ui.api.answers import answer_event
from ui.api.errors import ApiError, ErrorCode
from ui.api.events import turn_events
from ui.api.rate_limits import RateLimits
from ui.api.schemas import ErrorBody

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ConversationToken",
    description="The token returned when the conversation was created.",
)


Responses = dict[int | str, dict[str, Any]]


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


COMMON_ERRORS: Responses = {
    422: error("The body or a parameter is invalid, or the message checks refused the message."),
    429: error("Too many requests from this address (see Retry-After)."),
}
CONVERSATION_ERRORS: Responses = {
    401: error("No conversation token was sent."),
    404: error("No such conversation, or the token is not this conversation's token."),
    **COMMON_ERRORS,
}
BODY_ERRORS: Responses = {413: error("The request body is over the size limit.")}
NOT_JSON: Responses = {400: error("The request body could not be read as JSON.")}


def chat_service(request: Request) -> ChatService:
    return request.app.state.chat


def rate_limits(request: Request) -> RateLimits:
    return request.app.state.rate_limits


Chat = Annotated[ChatService, Depends(chat_service)]
Limits = Annotated[RateLimits, Depends(rate_limits)]


async def limit_client(request: Request, limits: Limits) -> None:
    await limits.client(request.client.host if request.client else "unknown")


router = APIRouter(prefix="/v1", dependencies=[Depends(limit_client)])
ConversationIdPath = Annotated[
    str, Path(min_length=1, max_length=64, description="The id returned when the conversation was created.")
]


async def authorised(
    conversation_id: ConversationIdPath,
    chat: Chat,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    if credentials is None:
        raise ApiError(
            401,
            ErrorCode.MISSING_TOKEN,
            "send the conversation token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not await run_in_threadpool(chat.authorised, conversation_id, credentials.credentials):
        raise not_found()
    return conversation_id


Conversation = Annotated[str, Depends(authorised)]


def not_found() -> ApiError:
    return ApiError(404, ErrorCode.CONVERSATION_NOT_FOUND, "no such conversation for this token")


async def open_conversation(conversation_id: str, chat: ChatService) -> None:
    """409 when the buyer already ended the conversation."""
    try:
        ended = await run_in_threadpool(chat.ended, conversation_id)
    except UnknownConversation as gone:
        raise not_found() from gone
    if ended:
        raise ApiError(409, ErrorCode.CONVERSATION_ENDED, "this conversation has ended: start a new one")


@router.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ConversationCreated,
    responses={**NOT_JSON, **COMMON_ERRORS, **BODY_ERRORS},
    summary="Start a conversation",
)
async def create_conversation(
    chat: Chat, opened: Annotated[schemas.ConversationIn | None, Body()] = None
) -> schemas.ConversationCreated:
    """A new conversation, its id and the token that authorises every later call on it (shown once).
    The optional body says where the chat was opened (landing page, referrer, UTM) for the insights."""
    attribution = None
    if opened is not None:
        utm = opened.model_dump(
            include={"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"}
        )
        attribution = attribution_from(landing_url=opened.landing_url, referrer_url=opened.referrer, utm=utm)
    conversation_id, token = await run_in_threadpool(lambda: chat.start_with_token(attribution=attribution))
    return schemas.ConversationCreated(conversation_id=conversation_id, token=token)


@router.get("/consent", response_model=schemas.ConsentText, responses=COMMON_ERRORS, summary="Consent text")
async def consent_text(chat: Chat) -> schemas.ConsentText:
    """The text a buyer agrees to when leaving contact details: show it beside an unticked box."""
    return schemas.ConsentText(consent_text=chat.consent_text)


SSE_EXAMPLE = (
    'event: token\ndata: {"text": "Yes, "}\n\n'
    'event: token\ndata: {"text": "that "}\n\n'
    'event: answer\ndata: {"message_id": 42, "text": "Yes, that is documented. ... [1]", "verdict": '
    '"supported", "claims": [...], "citations": [...], "intents": {...}, "confidence": 0.78, '
    '"groundedness": 1.0, "handoff": {"handed_off": false, ...}, "composer": "extractive"}\n\n'
)


def sse_event(name: str, schema: str) -> dict:
    """One kind of event (OpenAPI 3.2's itemSchema for text/event-stream): its name, its JSON data."""
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": name},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"$ref": f"#/components/schemas/{schema}"},
            },
        },
    }


SSE_ITEM_SCHEMA = {
    "oneOf": [
        sse_event("token", "TokenEvent"),
        sse_event("answer", "AnswerEvent"),
        sse_event("error", "ErrorBody"),
    ]
}


@router.post(
    "/conversations/{conversation_id}/messages",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: `token` events (data: TokenEvent), then one `answer` event "
            "(data: AnswerEvent) with the whole answer, or one `error` event (data: ErrorBody).",
            "content": {"text/event-stream": {"itemSchema": SSE_ITEM_SCHEMA, "example": SSE_EXAMPLE}},
        },
        409: error("The conversation has ended."),
        **BODY_ERRORS,
        **CONVERSATION_ERRORS,
        429: error("Too many requests from this address or in this conversation (see Retry-After)."),
    },
    summary="Send a buyer message; the answer streams back",
)
async def send_message(
    message: schemas.MessageIn, conversation_id: Conversation, chat: Chat, limits: Limits
) -> StreamingResponse:
    """The buyer's message goes through the same checks and the same reply pipeline as on every surface
    (injection attempts included); the answer streams back as server-sent events."""
    await limits.conversation(conversation_id)
    try:
        text = check_message(message.text)
    except MessageRejected as rejected:
        raise ApiError(422, ErrorCode.MESSAGE_REJECTED, str(rejected)) from rejected
    await open_conversation(conversation_id, chat)
    return StreamingResponse(
        turn_events(chat, conversation_id, text),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=schemas.Transcript,
    responses=CONVERSATION_ERRORS,
    summary="Read the transcript after a message id",
)
async def transcript(
    conversation_id: Conversation,
    chat: Chat,
    after: Annotated[
        int, Query(ge=0, le=2**53, description="Only messages with a larger id (0: from the start).")
    ] = 0,
) -> schemas.Transcript:
    """The messages after `after`, oldest first, the latest handoff's state and whether the conversation
    ended. A rep's reply arrives this way: poll with the last id you have."""
    try:
        messages = await run_in_threadpool(chat.transcript, conversation_id, after_id=after)
        handoff = await run_in_threadpool(chat.latest_handoff, conversation_id)
        ended = await run_in_threadpool(chat.ended, conversation_id)
    except UnknownConversation as gone:
        raise not_found() from gone
    return schemas.Transcript(
        conversation_id=conversation_id,
        messages=[
            schemas.MessageOut(
                id=m.id,
                role=m.role,  # type: ignore[arg-type]
                text=m.text,
                author=m.author,
                created_at=m.created_at,
                answer=answer_event(m.id, m.text, m.payload) if m.role == "assistant" and m.payload else None,
            )
            for m in messages
        ],
        handoff=schemas.HandoffState(handoff_id=handoff.id, state=handoff.state)  # type: ignore[arg-type]
        if handoff
        else None,
        ended=ended,
    )


@router.post(
    "/conversations/{conversation_id}/handoff",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.HumanRequested,
    responses={409: error("The conversation has ended."), **CONVERSATION_ERRORS, **BODY_ERRORS},
    summary="Ask for a person",
)
async def request_human(conversation_id: Conversation, chat: Chat, limits: Limits) -> schemas.HumanRequested:
    """The "talk to an expert" button: hands the conversation to a rep (or returns the handoff already
    open). The rep's reply appears in the transcript."""
    await limits.conversation(conversation_id)
    await open_conversation(conversation_id, chat)
    handoff_id = await run_in_threadpool(chat.request_human, conversation_id)
    handoff = await run_in_threadpool(chat.latest_handoff, conversation_id)
    state = handoff.state if handoff is not None and handoff.id == handoff_id else "open"
    return schemas.HumanRequested(handoff_id=handoff_id, state=state)  # type: ignore[arg-type]


@router.post(
    "/conversations/{conversation_id}/end",
    response_model=schemas.ConversationEnded,
    responses={**CONVERSATION_ERRORS, **BODY_ERRORS},
    summary="End the conversation",
)
async def end_conversation(conversation_id: Conversation, chat: Chat) -> schemas.ConversationEnded:
    """No new messages after this; the transcript stays readable with the same token, and a rep can still
    answer a handoff already open. Ending twice is not an error."""
    try:
        await run_in_threadpool(chat.end, conversation_id)
    except UnknownConversation as gone:
        raise not_found() from gone
    return schemas.ConversationEnded(conversation_id=conversation_id, ended=True)


@router.post(
    "/conversations/{conversation_id}/contact",
    response_model=schemas.ContactOut,
    responses={**NOT_JSON, **CONVERSATION_ERRORS, **BODY_ERRORS},
    summary="Leave contact details (with consent)",
)
async def leave_contact(
    contact: schemas.ContactIn, conversation_id: Conversation, chat: Chat, limits: Limits
) -> schemas.ContactOut:
    """The buyer's name, work e-mail and company, stored with the server's consent text and the time;
    sending again replaces them. 422 `contact_refused` without consent or with an invalid e-mail."""
    await limits.conversation(conversation_id)
    try:
        view = await run_in_threadpool(
            lambda: chat.leave_contact(
                conversation_id,
                name=contact.name,
                email=contact.email,
                company=contact.company,
                consented=contact.consent,
                company_size=contact.company_size,
                industry=contact.industry,
            )
        )
    except UnknownConversation as gone:
        raise not_found() from gone
    except ContactError as refused:
        raise ApiError(422, ErrorCode.CONTACT_REFUSED, str(refused)) from refused
    return schemas.ContactOut(
        name=view.name,
        email=view.email,
        company=view.company,
        consent_text=view.consent_text,
        consented_at=view.consented_at.replace(tzinfo=UTC),  # stored as naive UTC
    )


@router.get("/health", response_model=schemas.Health, responses=COMMON_ERRORS, summary="Liveness")
async def health() -> schemas.Health:
    return schemas.Health(status="ok")

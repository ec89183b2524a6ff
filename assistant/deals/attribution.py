"""Where a conversation came from — the landing page, the referrer, the UTM parameters the widget or the
chat page was opened with — and the company size and industry the buyer gave. Recorded once at the start
(first touch wins); the firmographics can be added later, e.g. with the contact form.

Only what segments need is kept: the landing page without its query string or fragment, the referrer's host
without its path (both can carry personal data: search terms, e-mail addresses in links).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from assistant.storage.conversations import UnknownConversation
from assistant.storage.database import Database
from assistant.storage.deal_tables import ConversationSegment
from assistant.storage.models import Conversation

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Employee-count bands, as CRMs and ad platforms commonly cut them.
SIZE_BANDS = ((1, 49, "1-49"), (50, 249, "50-249"), (250, 999, "250-999"), (1000, 4999, "1000-4999"))
LARGEST_BAND = "5000+"
MAX_FIELD = 200  # utm_* and industry columns hold 200 / 120 characters; longer input is cut, not refused


@dataclass(frozen=True)
class Attribution:
    landing_page: str = ""
    referrer: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""
    company_size: str = ""
    industry: str = ""


def _clean(value: str | None, limit: int = MAX_FIELD) -> str:
    return " ".join(str(value or "").split())[:limit]


def landing_page(url: str) -> str:
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return _clean(parts.path, 500)
    return _clean(f"{parts.scheme}://{parts.netloc.lower()}{parts.path or '/'}", 500)


def referrer_host(url: str) -> str:
    parts = urlsplit(url.strip())
    return _clean((parts.hostname or "").removeprefix("www."), 255)


def size_band(value: str | int | None) -> str:
    """ "60", "200-500", "5k", "10,000+" or a band label -> the band; "" when it is not a size."""
    text = str(value or "").strip().lower().replace(",", "")
    if text in {band for _low, _high, band in SIZE_BANDS} | {LARGEST_BAND}:
        return text
    match = re.match(r"(\d+(?:\.\d+)?)\s*(k)?", text)
    if not match:
        return ""
    count = float(match.group(1)) * (1000 if match.group(2) else 1)
    for low, high, band in SIZE_BANDS:
        if low <= count <= high:
            return band
    return LARGEST_BAND if count > SIZE_BANDS[-1][1] else ""


def industry_label(text: str | None) -> str:
    return _clean(text, 120).lower()


def attribution_from(
    *, landing_url: str = "", referrer_url: str = "", utm: dict[str, str] | None = None
) -> Attribution:
    """From what the page was opened with: UTM parameters from `utm` or else the landing URL's query."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(landing_url.strip()).query).items() if v}
    given = {k: v for k, v in (utm or {}).items() if k in UTM_KEYS}
    return Attribution(
        landing_page=landing_page(landing_url) if landing_url else "",
        referrer=referrer_host(referrer_url) if referrer_url else "",
        **{key: _clean(given.get(key) or query.get(key)) for key in UTM_KEYS},
    )


def _row(session: Session, conversation_id: str) -> ConversationSegment:
    if session.get(Conversation, conversation_id) is None:
        raise UnknownConversation(conversation_id)
    row = session.get(ConversationSegment, conversation_id)
    if row is None:
        row = ConversationSegment(conversation_id=conversation_id)
        session.add(row)
    return row


def set_firmographics(session: Session, conversation_id: str, *, company_size: str, industry: str) -> None:
    if not (size_band(company_size) or industry_label(industry)):
        return
    row = _row(session, conversation_id)
    if size_band(company_size):
        row.company_size = size_band(company_size)
    if industry_label(industry):
        row.industry = industry_label(industry)


class Attributions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, conversation_id: str, attribution: Attribution) -> None:
        """Keep where the conversation came from; a field already recorded is not overwritten."""
        with self._db.session() as session:
            row = _row(session, conversation_id)
            for field in fields(Attribution):
                value = getattr(attribution, field.name)
                if field.name == "company_size":
                    value = size_band(value)
                elif field.name == "industry":
                    value = industry_label(value)
                if value and not getattr(row, field.name):
                    setattr(row, field.name, value)

    def set_firmographics(self, conversation_id: str, *, company_size: str = "", industry: str = "") -> None:
        with self._db.session() as session:
            set_firmographics(session, conversation_id, company_size=company_size, industry=industry)

    def get(self, conversation_id: str) -> Attribution | None:
        with self._db.session() as session:
            row = session.get(ConversationSegment, conversation_id)
            if row is None:
                return None
            return replace(Attribution(), **{f.name: getattr(row, f.name) for f in fields(Attribution)})

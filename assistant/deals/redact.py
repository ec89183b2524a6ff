"""Redacting a buyer's contact details from text and from stored JSON, for erasure.

Errs towards removing: the e-mail (and its local part and company domain), the full name and each part of
it, the company's name, its core without the legal form and the core's first word, all case-insensitive on word boundaries. A
common word that is also the buyer's name ("Will") is redacted too: that is the price of erasing.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.deals.accounts import FREE_MAIL, LEGAL_WORDS, email_domain

REDACTED = "[redacted]"
MIN_TERM = 2  # one-letter initials would redact every "a"


def contact_terms(*, name: str = "", email: str = "", company: str = "") -> list[str]:
    terms = {name, email, company}
    terms.update(re.findall(r"[^\W_][\w'-]*", name))
    if "@" in email:
        local = email.split("@", 1)[0]
        terms.add(local)
        terms.update(re.split(r"[._+-]", local))
        domain = email_domain(email)
        if domain and domain not in FREE_MAIL:
            terms.add(domain)
    words = re.findall(r"[^\W_][\w'&-]*", company)
    core = [w for w in words if w.casefold() not in LEGAL_WORDS]
    if core:  # the core name and its first word ("Pinecrest"), not generic ones ("University", "Bank")
        terms.update([" ".join(core), core[0]])
    honorifics = {"dr", "mr", "mrs", "ms", "prof", "col"}
    return sorted(
        (t.strip() for t in terms if len(t.strip()) >= MIN_TERM and t.strip().casefold() not in honorifics),
        key=len,
        reverse=True,  # the e-mail before its local part, the full name before its parts
    )


def redactor(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    spaced = [r"\s+".join(re.escape(part) for part in term.split()) for term in terms]
    return re.compile(rf"(?<![\w@.-])(?:{'|'.join(spaced)})(?![\w@-])", re.IGNORECASE)


def redact_text(text: str, pattern: re.Pattern[str] | None) -> str:
    return pattern.sub(REDACTED, text) if pattern and text else text


def redact_json(value: Any, pattern: re.Pattern[str] | None) -> Any:
    if isinstance(value, str):
        return redact_text(value, pattern)
    if isinstance(value, list):
        return [redact_json(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: redact_json(item, pattern) for key, item in value.items()}
    return value

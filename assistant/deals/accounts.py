"""Which account a buyer belongs to: one key per company, from the company they typed or their work email's
domain, so that several buyers of one company build up one buying committee."""

from __future__ import annotations

import re

# Addresses at these domains say nothing about the buyer's company: they never make an account.
FREE_MAIL = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.co.uk ymail.com outlook.com hotmail.com hotmail.co.uk live.com
    msn.com icloud.com me.com mac.com aol.com proton.me protonmail.com pm.me gmx.com gmx.de gmx.net web.de
    mail.com yandex.com yandex.ru zoho.com fastmail.com hey.com qq.com 163.com""".split()
)
# Words that name a legal form or a generic group, not the company: "Acme Corp." and "ACME, Inc." are one.
LEGAL_WORDS = frozenset(
    """inc incorporated llc llp ltd limited gmbh ag sa sas sarl bv nv plc corp corporation co company
    group holding holdings kg oy ab as spa srl pty pte kk""".split()
)
# Second-level labels under a country code: the company is the label before them (acme.co.uk -> acme).
SECOND_LEVEL = frozenset("co com net org ac gov ltd plc ne or".split())

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")


def company_key(company: str) -> str:
    """ "ACME, Inc." -> "acme", "Halcyon Freight Ltd" -> "halcyonfreight" (no spaces, so that it meets the
    domain halcyon-freight.com); "" when nothing but legal words is left."""
    words = _WORD.findall(company.casefold())
    while words and words[-1] in LEGAL_WORDS:
        words.pop()
    return "".join(words)


def email_domain(email: str) -> str:
    match = EMAIL.match(email.strip())
    return match.group(1).lower() if match else ""


def domain_key(domain: str) -> str:
    """The company label of a domain: mail.acme.com -> acme, acme.co.uk -> acme, halcyon-freight.com ->
    halcyonfreight; "" for free mail."""
    domain = domain.lower().strip(".")
    if not domain or domain in FREE_MAIL:
        return ""
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2:
        label = labels[-3]
    else:
        label = labels[-2] if len(labels) >= 2 else labels[0]
    return label.replace("-", "")


def account_key(company: str, email: str = "") -> str:
    """The account a contact groups into: the company's name when given, else the email's company domain;
    "" (no account) for a free-mail address with no company."""
    return company_key(company) or domain_key(email_domain(email))


def lookup_key(company_or_domain: str) -> str:
    """What `account_committee` is asked for: a company name ("Acme Corp") or a domain ("acme.com")."""
    text = company_or_domain.strip()
    if "@" in text:
        return account_key("", text)
    if re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", text):
        return domain_key(text)
    return company_key(text)

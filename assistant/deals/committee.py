"""An account's buying committee: the stakeholders every buyer of one company mentioned, merged by role,
each with the latest stance anyone stated and the quotes it rests on, plus the buyers themselves."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.deals.contacts import ContactView
from assistant.deals.types import Concern, DealBrief, Readiness, Stance


@dataclass(frozen=True)
class AccountMention:
    conversation_id: str
    message_id: int
    quote: str
    stance: Stance
    wants: str


@dataclass(frozen=True)
class CommitteeMember:
    role_key: str
    roles: tuple[str, ...]  # as the buyers named them: ("CISO", "head of security")
    stance: Stance  # the latest stance stated in any conversation
    buyer_names: tuple[str, ...]  # contacts who said they hold this role themselves
    mentions: tuple[AccountMention, ...]  # oldest first


@dataclass(frozen=True)
class AccountBuyer:
    name: str
    company: str
    conversation_id: str
    readiness: Readiness


@dataclass(frozen=True)
class AccountConcern:
    conversation_id: str
    concern: Concern


@dataclass(frozen=True)
class AccountCommittee:
    account: str
    buyers: tuple[AccountBuyer, ...]
    members: tuple[CommitteeMember, ...]
    concerns: tuple[AccountConcern, ...]

    @property
    def companies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b.company for b in self.buyers if b.company))


def merge_committee(account: str, contacts: list[ContactView], briefs: list[DealBrief]) -> AccountCommittee:
    names = {c.conversation_id: c.name for c in contacts}
    companies = {c.conversation_id: c.company for c in contacts}
    gathered: dict[str, list[tuple[AccountMention, str, bool]]] = {}
    for brief in briefs:
        for person in brief.stakeholders:
            for mention in person.mentions:
                gathered.setdefault(person.role_key, []).append(
                    (
                        AccountMention(
                            brief.conversation_id,
                            mention.message_id,
                            mention.quote,
                            mention.stance,
                            mention.wants,
                        ),
                        person.role,
                        person.is_buyer,
                    )
                )
    members = []
    for role_key, items in gathered.items():
        items.sort(key=lambda item: item[0].message_id)  # message ids grow with time across conversations
        stated = [m.stance for m, _role, _self in items if m.stance != Stance.UNSTATED]
        members.append(
            CommitteeMember(
                role_key=role_key,
                roles=tuple(dict.fromkeys(role for _m, role, _self in items)),
                stance=stated[-1] if stated else Stance.UNSTATED,
                buyer_names=tuple(
                    dict.fromkeys(
                        names[m.conversation_id]
                        for m, _r, is_self in items
                        if is_self and m.conversation_id in names
                    )
                ),
                mentions=tuple(m for m, _role, _self in items),
            )
        )
    members.sort(key=lambda member: member.mentions[0].message_id)
    return AccountCommittee(
        account=account,
        buyers=tuple(
            AccountBuyer(
                names.get(b.conversation_id, ""),
                companies.get(b.conversation_id, ""),
                b.conversation_id,
                b.readiness.level,
            )
            for b in briefs
        ),
        members=tuple(members),
        concerns=tuple(AccountConcern(b.conversation_id, c) for b in briefs for c in b.concerns),
    )

"""A deal brief as plain text, for a CRM note and the terminal. Buyer words are quoted as they were typed;
the text is never meant to be rendered as HTML or Markdown."""

from __future__ import annotations

from assistant.deals.committee import AccountCommittee
from assistant.deals.types import ClaimVerdict, DealBrief, Stance

LABELS = {
    "exploring": "exploring (learning how it works)",
    "evaluating": "evaluating (checking claims, voicing concerns)",
    "ready_to_talk": "ready to talk (has taken steps towards buying)",
    "blocked": "blocked (something stated stops the deal)",
}


def brief_text(brief: DealBrief) -> str:
    lines = [f"Readiness: {LABELS.get(brief.readiness.level, brief.readiness.level)}"]
    if brief.dispute:
        lines.append(f"  disputed by {brief.dispute.rep}: {brief.dispute.level} ({brief.dispute.note})")
    profile = brief.profile
    if profile.dominant:
        moved = " -> ".join(profile.phases)
        lines.append(f"Last-mile profile: mostly {profile.dominant}; moved {moved}")
    if brief.readiness.pulls:
        lines.append("Pulled for:")
        lines += [f'  - [{e.signal}] "{e.quote}" (message {e.message_id})' for e in brief.readiness.pulls]
    if brief.readiness.blockers:
        lines.append("Still in the way:")
        lines += [f'  - [{e.signal}] "{e.quote}" (message {e.message_id})' for e in brief.readiness.blockers]
    for verdict in ClaimVerdict:
        items = brief.claims_by(verdict)
        if items:
            lines.append(f"Claims {verdict}:")
            lines += [f'  - "{c.text}" (message {c.message_id})' for c in items]
    if brief.concerns:
        lines.append("Concerns:")
        lines += [f'  - {c.topic}: "{c.quote}" (message {c.message_id})' for c in brief.concerns]
    if brief.stakeholders:
        lines.append("Stakeholders:")
        for person in brief.stakeholders:
            who = f"{person.role} (the buyer)" if person.is_buyer else person.role
            stance = "" if person.stance == Stance.UNSTATED else f", {person.stance}"
            latest = person.mentions[-1]
            wants = f"; wants {latest.wants}" if latest.wants else ""
            lines.append(f'  - {who}{stance}{wants}: "{latest.quote}" (message {latest.message_id})')
    return "\n".join(lines)


def committee_text(committee: AccountCommittee) -> str:
    """An account's buying committee as plain text: its buyers, then each member with the latest quote."""
    companies = ", ".join(committee.companies) or committee.account
    lines = [f"Account {committee.account} ({companies}): {len(committee.buyers)} buyer conversation(s)"]
    for buyer in committee.buyers:
        lines.append(f"  buyer {buyer.name} ({buyer.company or 'no company given'}): {buyer.readiness}")
    said_by = {buyer.conversation_id: buyer.name for buyer in committee.buyers}
    if committee.members:
        lines.append("Committee:")
    for member in committee.members:
        names = f" [{', '.join(member.buyer_names)}]" if member.buyer_names else ""
        stance = "" if member.stance == Stance.UNSTATED else f", {member.stance}"
        latest = member.mentions[-1]
        wants = f"; wants {latest.wants}" if latest.wants else ""
        who = f" (said by {said_by[latest.conversation_id]})" if said_by.get(latest.conversation_id) else ""
        lines.append(f'  - {" / ".join(member.roles)}{names}{stance}{wants}: "{latest.quote}"{who}')
    if committee.concerns:
        lines.append("Concerns across the account:")
        lines += [f'  - {c.concern.topic}: "{c.concern.quote}"' for c in committee.concerns]
    return "\n".join(lines)

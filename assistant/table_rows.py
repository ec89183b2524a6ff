"""A pricing table's row read as a verdict on a plan: "SCIM provisioning | No | No | Yes" under the header
"Included | Starter | Growth | Enterprise" says SCIM is on Enterprise only.

A table split across chunks repeats its header row at the top of every part (ingest/chunking.py), so a row's
header is the first line of the " | " block it is in. Only a header whose cells after the first are all plan
names counts, and only Yes/No-like cells are read: a figure or a text cell ("10 (maximum 25)", "Standard
(business hours)") is left to the other rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.qualifiers import PLAN_WORDS, terms_of
from ingest.document import CELL_SEPARATOR, is_table_row

_YES = {"yes", "included", "\u2713", "\u2714"}
_NO = {"no", "\u2014", "-", "\u2013", "not available", "not included", "n/a"}


@dataclass(frozen=True)
class Row:
    """A table row under a header of plans: what it is about (its first cell, with the header's first cell,
    "Included"), and per plan its cell: True (Yes/Included), False (No/—) or None (a figure or text)."""

    subject: str
    header_subject: str
    cells: dict[str, bool | None]

    @property
    def terms(self) -> set[str]:
        return terms_of(self.subject) | terms_of(self.header_subject)

    def having(self) -> list[str]:
        """The plans whose cell is Yes/Included, in the header's order."""
        return [plan for plan, value in self.cells.items() if value]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split(CELL_SEPARATOR)]


def _value(cell: str) -> bool | None:
    cell = cell.strip().rstrip(".").lower()
    if cell in _YES:
        return True
    if cell in _NO:
        return False
    return None


def plan_row(sentence: str, chunk_text: str) -> Row | None:
    """The row `sentence` is, read under its header of plans in `chunk_text`; None when it is not a row of
    such a table (or is the header itself)."""
    if not is_table_row(sentence):
        return None
    lines = [line.strip() for line in chunk_text.splitlines()]
    try:
        index = lines.index(sentence.strip())
    except ValueError:
        return None
    start = index
    while start > 0 and is_table_row(lines[start - 1]):
        start -= 1
    if start == index:
        return None  # the header row itself, or a row with no header above it
    header, row = _cells(lines[start]), _cells(lines[index])
    plans = header[1:]
    if len(row) != len(header) or not plans or any(p not in PLAN_WORDS for p in plans):
        return None
    return Row(row[0], header[0], {plan: _value(cell) for plan, cell in zip(plans, row[1:], strict=True)})

"""Spreadsheet-safe cells: the one formula-injection guard for every CSV Lastmile writes or lets staff
download (the CRM files, and the staff tables whose toolbar exports CSV).

Buyer words (and document text) reach these cells: a cell a spreadsheet would evaluate (starting with
= + - @, a tab or a carriage return, or their full-width forms) is prefixed with a single quote, and a
cell that already starts with quotes before such a character gets one more, so `csv_unsafe` strips
exactly one and the round trip is exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def _risky(value: str) -> bool:
    return value.lstrip("'")[:1] in FORMULA_START


def csv_safe(value: str) -> str:
    return "'" + value if _risky(value) else value


def csv_unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and _risky(value) else value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A table row with every text cell neutralised (numbers and dates stay as they are)."""
    return {key: csv_safe(value) if isinstance(value, str) else value for key, value in row.items()}

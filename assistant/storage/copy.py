"""Copying the SQL database (conversations, messages, handoffs, users, tokens, deal tables) to another one.

Table by table in foreign-key order, in batches, each row inserted only if its primary key is not there
yet: a second run copies nothing twice and an interrupted one picks up where it stopped. Afterwards the
target's id sequences (PostgreSQL) are moved past the copied ids, so new rows never collide with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, text, tuple_

from assistant.storage import deal_tables  # noqa: F401 (registers the deal tables on Base.metadata)
from assistant.storage.database import Database
from assistant.storage.models import Base

BATCH = 1000  # rows read and written per round trip


@dataclass
class TableCopy:
    copied: dict[str, int] = field(default_factory=dict)  # table -> rows inserted
    present: dict[str, int] = field(default_factory=dict)  # table -> rows the target already had


def copy_database(source: Database, target: Database) -> TableCopy:
    report = TableCopy()
    for table in Base.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        copied = present = 0
        with source.engine.connect() as reader:
            rows = reader.execution_options(stream_results=True).execute(select(table).order_by(*key))
            for batch in rows.partitions(BATCH):
                wanted = [dict(row._mapping) for row in batch]
                ids = [tuple(row[c.name] for c in key) for row in wanted]
                with target.engine.begin() as writer:
                    there = {
                        tuple(found) for found in writer.execute(select(*key).where(tuple_(*key).in_(ids)))
                    }
                    fresh = [row for row, i in zip(wanted, ids, strict=True) if i not in there]
                    if fresh:
                        writer.execute(table.insert(), fresh)
                copied += len(fresh)
                present += len(wanted) - len(fresh)
        report.copied[table.name] = copied
        report.present[table.name] = present
        _advance_sequence(target, table)
    return report


def _advance_sequence(target: Database, table) -> None:
    """PostgreSQL hands out serial ids from a sequence that copied rows did not move."""
    if target.engine.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if column.autoincrement is True or (
            column.autoincrement == "auto" and column.type.python_type is int
        ):
            with target.engine.begin() as writer:
                sequence = writer.execute(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": table.name, "column": column.name},
                ).scalar()
                if sequence:
                    highest = writer.execute(select(func.max(column))).scalar()
                    if highest is not None:
                        writer.execute(
                            text("SELECT setval(:sequence, :value)"), {"sequence": sequence, "value": highest}
                        )

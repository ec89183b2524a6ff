"""Moving up: copy a deployment's stores (an embedded home) to shared ones (a Chroma server, PostgreSQL).

The knowledge base is copied with its vectors (knowledge/copy.py), the SQL tables row by row
(assistant/storage/copy.py); both steps skip what the target already holds, so the move can be run
again after an interruption, or once more just before switching the app processes over. The target's
stores are checked for agreement at the end (`lastmile kb check` does the same).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from assistant.storage.copy import TableCopy, copy_database
from assistant.storage.database import Database
from knowledge.base import KnowledgeBase
from knowledge.consistency import Drift, check
from knowledge.copy import CopyReport, copy_knowledge


@dataclass(frozen=True)
class MoveReport:
    knowledge: CopyReport
    tables: TableCopy
    target_check: Drift

    @property
    def ok(self) -> bool:
        return self.target_check.ok

    def as_dict(self) -> dict:
        return {
            "knowledge": self.knowledge.as_dict(),
            "tables": asdict(self.tables),
            "target_check": self.target_check.as_dict(),
            "ok": self.ok,
        }


def move_stores(
    *, source_kb: KnowledgeBase, target_kb: KnowledgeBase, source_db: Database, target_db: Database
) -> MoveReport:
    knowledge = copy_knowledge(source_kb, target_kb)
    tables = copy_database(source_db, target_db)
    return MoveReport(knowledge=knowledge, tables=tables, target_check=check(target_kb))

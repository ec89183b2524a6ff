"""The knowledge admin: what product teams and admins do to the knowledge base, and what it could not answer.

List, show, ingest folders, upload / replace / delete documents, preview a search as the assistant runs
it, and read back the knowledge gaps (grouped) and the answered turns. What the knowledge-base and
insights pages and `lastmile ingest | kb ...` call; none of them reaches the stores or the ingest code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from assistant.knowledge_gaps import GapGroup, group_gaps
from assistant.types import AnsweredTurn
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.sync import MB, Progress, Syncer, SyncReport
from knowledge import consistency
from knowledge.base import KnowledgeBase
from knowledge.consistency import Drift, Repair
from knowledge.registry import DocumentRecord
from knowledge.retriever import HybridRetriever, Mode
from knowledge.trust import FlaggedDocument
from knowledge.types import Hit

# The SQL side (SQLAlchemy) is imported by the two reads that need it: `lastmile ingest` and `kb list` start
# without it (issue #16: commands that need no model start in under a second).
if TYPE_CHECKING:
    from assistant.storage.database import Database

# Re-exported for the surfaces, which import no store, no ingest and no knowledge module.
__all__ = [
    "SEARCH_MODES",
    "SUPPORTED_SUFFIXES",
    "AnsweredTurn",
    "DocumentRecord",
    "GapGroup",
    "Hit",
    "KnowledgeAdmin",
    "Progress",
    "SyncReport",
    "Upload",
]

SEARCH_MODES: tuple[Mode, ...] = get_args(Mode)  # hybrid, dense, lexical
ChunkRow = tuple[str, str, str | None, str]  # chunk id, heading path, page, text


@dataclass(frozen=True)
class Upload:
    """What happened to one uploaded file."""

    document_id: str
    result: Literal["added", "updated", "unchanged", "failed"]
    detail: str  # the reason of a failure; chunks written and embedded otherwise

    @classmethod
    def of(cls, document_id: str, report: SyncReport) -> Upload:
        if report.failed:
            return cls(document_id, "failed", report.failed[0].reason)
        if report.added or report.updated:
            detail = f"{report.chunks} chunks, {report.embedded} embedded"
            return cls(document_id, "added" if report.added else "updated", detail)
        if report.unchanged:
            return cls(document_id, "unchanged", "")
        return cls(document_id, "failed", "nothing was applied")


class KnowledgeAdmin:
    def __init__(
        self,
        *,
        kb: KnowledgeBase,
        syncer: Syncer,
        retriever: Callable[[], HybridRetriever],
        database: Callable[[], Database],
    ) -> None:
        self._kb = kb
        self._syncer = syncer
        self._retriever = retriever  # built on first search (a configured reranker loads a model)
        self._database = database  # opened on first read of gaps or turns

    @property
    def max_file_mb(self) -> float:
        """The largest file ingest accepts, in MB (`LASTMILE_MAX_FILE_MB`)."""
        return self._syncer.max_file_bytes / MB

    def documents(self) -> list[DocumentRecord]:
        return self._kb.registry.list()

    def document(self, document_id: str) -> DocumentRecord | None:
        return self._kb.registry.get(document_id)

    def chunks(self, document_id: str) -> list[ChunkRow]:
        return self._kb.registry.chunks(document_id)

    def is_empty(self) -> bool:
        return self._kb.is_empty()

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        prune: bool = False,
        progress: Progress | None = None,
        follow_symlinks: bool = False,
    ) -> SyncReport:
        """Add new documents, replace changed ones, skip unchanged ones; `prune` deletes the missing;
        symlinks that lead out of the folder are refused unless `follow_symlinks`."""
        return self._syncer.sync(paths, prune=prune, progress=progress, follow_symlinks=follow_symlinks)

    def flagged_documents(self) -> list[FlaggedDocument]:
        """Documents with passages that carry planted instructions (kept out of answers until approved)."""
        return self._kb.flagged_documents()

    def approve(self, document_id: str, *, by: str) -> bool:
        """Let a flagged document's current content answer questions; False when there is no such document."""
        return self._kb.approve(document_id, by=by)

    def set_authoritative(self, document_id: str, authoritative: bool) -> bool:
        """Whether the document's price, contract or roadmap statements may reach buyers."""
        return self._kb.set_authoritative(document_id, authoritative)

    def check(self) -> Drift:
        """Registry, lexical index and Chroma compared chunk by chunk."""
        return consistency.check(self._kb)

    def repair(self) -> tuple[Repair, Drift]:
        """Make the stores agree; returns what was done and the check after it."""
        done = consistency.repair(self._kb)
        return done, consistency.check(self._kb)

    def upload(self, document_id: str, data: bytes, *, owner: str) -> Upload:
        """Apply one file given as bytes under `document_id`: added, updated (same id), or failed with why."""
        if len(data) > self._syncer.max_file_bytes:
            reason = f"file too large: {len(data) / MB:.1f} MB > limit {self.max_file_mb:g} MB"
            return Upload(document_id, "failed", reason)
        return Upload.of(document_id, self._syncer.sync_bytes(document_id, data, owner=owner))

    def replace(self, document_id: str, data: bytes, *, owner: str) -> Upload:
        """A new version of an existing document (a new id would be an upload)."""
        if self.document(document_id) is None:
            return Upload(document_id, "failed", f"no document {document_id!r} to replace")
        return self.upload(document_id, data, owner=owner)

    def delete(self, document_id: str) -> bool:
        """Remove a document and all its chunks from every store; False when there was none."""
        return self._kb.delete_document(document_id)

    def search(self, query: str, *, k: int = 10, mode: Mode = "hybrid") -> list[Hit]:
        """What the assistant's retriever returns for `query`, best first, with similarity and score."""
        return self._retriever().search(query, k=k, mode=mode)

    def gaps(self, *, days: int | None = None) -> list[GapGroup]:
        """Questions handed off for lack of evidence (in the last `days`, or ever), grouped by meaning,
        the most asked first."""
        from assistant.storage.insights import knowledge_gaps

        return group_gaps(knowledge_gaps(self._database(), since=_since(days)), self._kb.embedder.embed)

    def turns(self, *, days: int | None = None) -> list[AnsweredTurn]:
        """Every assistant answer (in the last `days`, or ever), oldest first."""
        from assistant.storage.insights import answered_turns

        return answered_turns(self._database(), since=_since(days))

    def close(self) -> None:
        self._kb.close()


def _since(days: int | None) -> datetime | None:
    from assistant.storage.models import utcnow

    return utcnow() - timedelta(days=days) if days is not None else None

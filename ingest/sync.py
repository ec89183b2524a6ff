"""Sync files into the knowledge base: add new documents, replace changed ones, skip unchanged ones,
and with `prune` delete documents no longer present.

Each document is loaded, chunked and applied on its own: one bad file is reported with its reason and
never blocks the rest of the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import DEFAULT_CHUNK_WORDS, DEFAULT_OVERLAP_WORDS, chunk_document
from ingest.discover import Candidate, discover
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_bytes
from knowledge.base import KnowledgeBase

DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    chunks: int = 0  # chunks written by this sync (added or updated documents)
    embedded: int = 0  # chunks that needed a fresh embedding

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
            "chunks": self.chunks,
            "embedded": self.embedded,
        }


@dataclass(frozen=True)
class Progress:
    """Hooks a caller may supply to show progress (a terminal bar, a Streamlit bar)."""

    on_start: Callable[[int], None] = lambda total: None
    on_file: Callable[[str], None] = lambda document_id: None
    on_chunks: Callable[[int], None] = lambda count: None


class Syncer:
    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        max_words: int = DEFAULT_CHUNK_WORDS,
        overlap_words: int = DEFAULT_OVERLAP_WORDS,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        owner: str = "",
    ) -> None:
        self.kb = kb
        self.max_words = max_words
        self.overlap_words = overlap_words
        self.max_file_bytes = max_file_bytes
        self.owner = owner

    def sync(
        self, paths: Iterable[str | Path], *, prune: bool = False, progress: Progress | None = None
    ) -> SyncReport:
        progress = progress or Progress()
        self.kb.reconcile()  # first clear what an interrupted earlier run left behind
        candidates = discover(paths)
        report = SyncReport()
        progress.on_start(len(candidates))
        for candidate in candidates:
            self._sync_one(candidate, report, progress)
            progress.on_file(candidate.document_id)
        if prune:
            seen = {c.document_id for c in candidates}
            for record in self.kb.registry.list():
                if record.id not in seen and self.kb.delete_document(record.id):
                    report.deleted.append(record.id)
        return report

    def sync_bytes(self, document_id: str, data: bytes, *, owner: str = "") -> SyncReport:
        """Apply one document given as bytes (an upload), under `document_id`."""
        report = SyncReport()
        self._apply(document_id, data, report, Progress(), owner=owner or self.owner)
        return report

    def _sync_one(self, candidate: Candidate, report: SyncReport, progress: Progress) -> None:
        shown = candidate.path.as_posix()
        if candidate.problem:
            report.failed.append(Failure(shown, candidate.problem))
            return
        if candidate.path.suffix.lower() not in SUPPORTED_SUFFIXES:
            report.failed.append(Failure(shown, f"unsupported file type {candidate.path.suffix or '(none)'}"))
            return
        try:
            size = candidate.path.stat().st_size
            if size > self.max_file_bytes:
                report.failed.append(
                    Failure(
                        shown,
                        f"file too large: {size / 1e6:.1f} MB > limit {self.max_file_bytes / 1e6:.1f} MB",
                    )
                )
                return
            data = candidate.path.read_bytes()
        except OSError as error:
            report.failed.append(Failure(shown, f"cannot read file: {error.strerror or error}"))
            return
        self._apply(candidate.document_id, data, report, progress, owner=self.owner, shown=shown)

    def _apply(
        self,
        document_id: str,
        data: bytes,
        report: SyncReport,
        progress: Progress,
        *,
        owner: str,
        shown: str | None = None,
    ) -> None:
        shown = shown or document_id
        content_hash = hashlib.sha256(data).hexdigest()
        existing = self.kb.registry.get(document_id)
        if existing is not None and existing.content_hash == content_hash:
            report.unchanged.append(document_id)
            return
        try:
            document = load_bytes(document_id, data)
            chunks = chunk_document(
                document_id, document, max_words=self.max_words, overlap_words=self.overlap_words
            )
            if not chunks:
                raise LoadError("no text could be extracted")
            applied = self.kb.apply_document(
                document_id=document_id,
                content_hash=content_hash,
                title=document.title,
                type=document.type,
                chunks=chunks,
                owner=owner or (existing.owner if existing else ""),
                size_bytes=len(data),
                on_embedded=progress.on_chunks,
            )
        except LoadError as error:
            report.failed.append(Failure(shown, str(error)))
            return
        except Exception as error:  # one document's failure must not stop the batch
            report.failed.append(
                Failure(shown, f"{type(error).__name__}: {' '.join(str(error).split())[:200]}")
            )
            return
        (report.updated if existing is not None else report.added).append(document_id)
        report.chunks += applied.chunks
        report.embedded += applied.embedded

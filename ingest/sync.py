"""Sync files into the knowledge base: add new documents, replace changed ones, skip unchanged ones,
and with `prune` delete the documents of the given folders that are no longer there (only those: each
document records the folder it came from; uploads and saved replies come from none).

Each file is read, loaded and chunked on its own: one bad file is reported with its reason and never
blocks the rest. Changed documents are applied in batches (one embedding call for several small
documents, which is what keeps ingestion near the model's own speed), each document still atomically.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import DEFAULT_CHUNK_WORDS, DEFAULT_OVERLAP_WORDS, chunk_document
from ingest.discover import Candidate, discover
from ingest.injection import injection_signals
from ingest.limits import DEFAULT_LIMITS, IngestLimits
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_bytes
from knowledge.base import AppliedDocument, KnowledgeBase, PendingDocument
from knowledge.registry import DocumentRegistry
from knowledge.types import Chunk
from knowledge.writer import WriterBusy

MB = 1024 * 1024
# The id prefix of saved rep replies (ingest/verified_qa.py). They come from no folder (an empty source),
# so no prune deletes them.
KEPT_ON_PRUNE = ("verified-qa/",)
DEFAULT_MAX_FILE_BYTES = 20 * MB
# A batch is embedded in one call. 256 chunks fill four of the model's 64-text forward passes, enough
# for length-sorted batches with little padding, while a crash costs at most that much re-embedding.
BATCH_CHUNKS = 256
BATCH_DOCUMENTS = 128


@dataclass
class Failure:
    path: str
    reason: str  # one line


@dataclass
class Flagged:
    """A document that landed with passages carrying planted instructions (kept out of answers until an
    admin approves it: `lastmile kb approve`)."""

    document_id: str
    chunks: int  # how many of its chunks are flagged
    signals: list[str]  # the kinds of instruction found (`ingest.injection.InjectionSignal` values)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    chunks: int = 0  # chunks written by this sync (added or updated documents)
    embedded: int = 0  # chunks that needed a fresh embedding
    flagged: list[Flagged] = field(default_factory=list)  # landed documents with planted instructions

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
            "chunks": self.chunks,
            "embedded": self.embedded,
            "flagged": [
                {"document": f.document_id, "chunks": f.chunks, "signals": f.signals} for f in self.flagged
            ],
        }


@dataclass(frozen=True)
class Progress:
    """Hooks a caller may supply to show progress (a terminal bar, a Streamlit bar)."""

    on_start: Callable[[int], None] = lambda total: None
    on_file: Callable[[str], None] = lambda document_id: None
    on_chunks: Callable[[int], None] = lambda count: None


@dataclass
class _Pending:
    document: PendingDocument
    shown: str  # the path as the user named it, for failure reports
    is_update: bool


class Syncer:
    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        max_words: int = DEFAULT_CHUNK_WORDS,
        overlap_words: int = DEFAULT_OVERLAP_WORDS,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        owner: str = "",
        batch_chunks: int = BATCH_CHUNKS,
        batch_documents: int = BATCH_DOCUMENTS,
        limits: IngestLimits = DEFAULT_LIMITS,
    ) -> None:
        self.kb = kb
        self.limits = limits
        self.max_words = max_words
        self.overlap_words = overlap_words
        self.max_file_bytes = max_file_bytes
        self.owner = owner
        self.batch_chunks = batch_chunks
        self.batch_documents = batch_documents

    def sync(
        self,
        paths: Iterable[str | Path],
        *,
        prune: bool = False,
        progress: Progress | None = None,
        follow_symlinks: bool = False,
    ) -> SyncReport:
        """Sync the files under `paths`; symlinks out of a folder are refused unless `follow_symlinks`.

        The whole sync holds the data folder's writer lock (another writer waits, logging that it does;
        `WriterBusy` after a long wait)."""
        with self.kb.writing():
            return self._sync(paths, prune, progress or Progress(), follow_symlinks)

    def _sync(
        self, paths: Iterable[str | Path], prune: bool, progress: Progress, follow_symlinks: bool
    ) -> SyncReport:
        self.kb.reconcile()  # first clear what an interrupted earlier run left behind
        paths = list(paths)  # read twice: discovery, then prune
        candidates = discover(paths, follow_symlinks=follow_symlinks)
        report = SyncReport()
        progress.on_start(len(candidates))
        batch: list[_Pending] = []
        taken: dict[str, str] = {}  # document id -> the path that claimed it in this run
        for candidate in candidates:
            shown = candidate.path.as_posix()
            if candidate.document_id in taken:
                reason = (
                    f"document id {candidate.document_id} already taken by {taken[candidate.document_id]}"
                )
                report.failed.append(Failure(shown, reason))
                progress.on_file(candidate.document_id)
                continue
            taken[candidate.document_id] = shown
            pending = self._prepare_file(candidate, report)
            if pending is None:
                progress.on_file(candidate.document_id)
                continue
            batch.append(pending)
            if (
                sum(len(p.document.chunks) for p in batch) >= self.batch_chunks
                or len(batch) >= self.batch_documents
            ):
                self._flush(batch, report, progress)
        self._flush(batch, report, progress)
        if prune:
            self._prune(paths, taken, report)
        return report

    def _prune(self, paths: Iterable[str | Path], taken: dict[str, str], report: SyncReport) -> None:
        """Delete the documents that came from these folders and were not found there this time."""
        folders = sorted({os.path.realpath(path) for path in paths if Path(path).is_dir()})
        gone = {doc for folder in folders for doc in self.kb.registry.from_source(folder)} - taken.keys()
        for document_id in sorted(gone):
            if self.kb.delete_document(document_id):
                report.deleted.append(document_id)

    def sync_bytes(
        self, document_id: str, data: bytes, *, owner: str = "", authoritative: bool | None = None
    ) -> SyncReport:
        """Apply one document given as bytes (an upload), under `document_id`. It comes from no folder (no
        prune deletes it); `authoritative` False marks it as not to be trusted for sensitive statements
        (a saved rep reply), None keeps the mark of the document it replaces (a new one is authoritative)."""
        report = SyncReport()
        try:
            with self.kb.writing():
                pending = self._prepare(
                    document_id,
                    data,
                    report,
                    owner=owner or self.owner,
                    shown=document_id,
                    authoritative=authoritative,
                )
                self._flush([pending] if pending else [], report, Progress())
        except WriterBusy as error:
            report.failed.append(Failure(document_id, str(error)))
        return report

    def _prepare_file(self, candidate: Candidate, report: SyncReport) -> _Pending | None:
        shown = candidate.path.as_posix()
        data = self._read(candidate, report, shown)
        if data is None:
            return None
        return self._prepare(
            candidate.document_id, data, report, owner=self.owner, shown=shown, source_root=candidate.root
        )

    def _read(self, candidate: Candidate, report: SyncReport, shown: str) -> bytes | None:
        if candidate.problem:
            report.failed.append(Failure(shown, candidate.problem))
            return None
        if candidate.path.suffix.lower() not in SUPPORTED_SUFFIXES:
            report.failed.append(Failure(shown, f"unsupported file type {candidate.path.suffix or '(none)'}"))
            return None
        try:
            info = candidate.path.stat()
            if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read forever
                report.failed.append(Failure(shown, "not a regular file"))
                return None
            if info.st_size > self.max_file_bytes:
                reason = (
                    f"file too large: {info.st_size / MB:.1f} MB > limit {self.max_file_bytes / MB:g} MB "
                    "(LASTMILE_MAX_FILE_MB)"
                )
                report.failed.append(Failure(shown, reason))
                return None
            return candidate.path.read_bytes()
        except OSError as error:
            report.failed.append(Failure(shown, f"cannot read file: {error.strerror or error}"))
            return None

    def _prepare(
        self,
        document_id: str,
        data: bytes,
        report: SyncReport,
        *,
        owner: str,
        shown: str,
        source_root: str = "",
        authoritative: bool | None = None,
    ) -> _Pending | None:
        """Load and chunk a changed document; None when it is unchanged or failed (both reported)."""
        content_hash = hashlib.sha256(data).hexdigest()
        existing = self.kb.registry.get(document_id)
        if existing is not None and existing.content_hash == content_hash:
            if existing.source_root != source_root:  # found elsewhere now, or registered before sources
                with self.kb.db.transaction() as conn:
                    DocumentRegistry.set_source_root(conn, document_id, source_root)
            report.unchanged.append(document_id)
            return None
        try:
            document = load_bytes(document_id, data, self.limits)
            chunks = chunk_document(
                document_id,
                document,
                max_words=self.max_words,
                overlap_words=self.overlap_words,
                max_chunks=self.limits.max_chunks,
            )
            if not chunks:
                raise LoadError("no text could be extracted")
        except LoadError as error:
            report.failed.append(Failure(shown, str(error)))
            return None
        except Exception as error:  # a parser bug on one file must not stop the batch
            report.failed.append(Failure(shown, _reason(error)))
            return None
        pending = PendingDocument(
            document_id=document_id,
            content_hash=content_hash,
            title=document.title,
            type=document.type,
            chunks=chunks,
            owner=owner or document.owner or (existing.owner if existing else ""),
            size_bytes=len(data),
            source_root=source_root,
            authoritative=authoritative,
            flags=_flags(chunks),
        )
        return _Pending(pending, shown, is_update=existing is not None)

    def _flush(self, batch: list[_Pending], report: SyncReport, progress: Progress) -> None:
        """Apply the batch; if it fails, retry its documents one by one so a failure stays per file."""
        if not batch:
            return
        by_id = {p.document.document_id: p for p in batch}
        landed: set[str] = set()

        def on_applied(document: PendingDocument, applied: AppliedDocument) -> None:
            landed.add(document.document_id)
            pending = by_id[document.document_id]
            (report.updated if pending.is_update else report.added).append(document.document_id)
            report.chunks += applied.chunks
            report.embedded += applied.embedded
            if document.flags:
                signals = sorted({signal for found in document.flags.values() for signal in found})
                report.flagged.append(Flagged(document.document_id, len(document.flags), signals))
            progress.on_file(document.document_id)

        documents = [p.document for p in batch]
        try:
            self.kb.apply_documents(documents, on_embedded=progress.on_chunks, on_applied=on_applied)
        except Exception:
            for document in documents:
                if document.document_id in landed:
                    continue
                try:
                    self.kb.apply_documents([document], on_embedded=progress.on_chunks, on_applied=on_applied)
                except Exception as error:
                    report.failed.append(Failure(by_id[document.document_id].shown, _reason(error)))
                    progress.on_file(document.document_id)
        batch.clear()


def _flags(chunks: list[Chunk]) -> dict[str, list[str]]:
    """The chunks that carry planted instructions (title and heading included), with what was found."""
    found = {chunk.id: injection_signals(f"{chunk.title}\n{chunk.heading}\n{chunk.text}") for chunk in chunks}
    return {chunk_id: [signal.value for signal in signals] for chunk_id, signals in found.items() if signals}


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"

"""Do the registry, the lexical index and the dense index (Chroma) agree, and if not, put them right.

`health()` is cheap (three counts and a file check): the assistant and the app call it to warn loudly
when the stores disagree, e.g. after the Chroma folder was deleted (answers would otherwise only lose
confidence, silently). `check()` compares every chunk id and says which documents are affected;
`repair()` removes what no document owns and restores what is missing from the text the other store
still holds: a vector is re-embedded from the lexical index's text, a lexical row rebuilt from Chroma's
copy. A chunk neither holds any more makes its document due for re-ingestion (its hash is forgotten).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.lexical_index import LexicalIndex, chunk_of
from knowledge.registry import DocumentRegistry
from knowledge.types import Chunk

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

CHROMA_FILE = "chroma.sqlite3"  # what an embedded Chroma folder holds once created


class StoreProblem(StrEnum):
    DENSE_FOLDER_MISSING = "dense_folder_missing"  # the embedded Chroma folder was deleted under us
    DENSE_UNREADABLE = "dense_unreadable"  # Chroma raised when asked
    DENSE_MISSING = "dense_missing"  # registered chunks Chroma does not hold
    DENSE_ORPHANS = "dense_orphans"  # vectors no document owns
    LEXICAL_MISSING = "lexical_missing"  # registered chunks the lexical index does not hold
    LEXICAL_ORPHANS = "lexical_orphans"  # lexical rows no chunk owns


_EXPLAINED = {
    StoreProblem.DENSE_FOLDER_MISSING: "the Chroma folder is gone",
    StoreProblem.DENSE_UNREADABLE: "Chroma cannot be read",
    StoreProblem.DENSE_MISSING: "Chroma lacks chunks the registry lists",
    StoreProblem.DENSE_ORPHANS: "Chroma holds chunks no document owns",
    StoreProblem.LEXICAL_MISSING: "the lexical index lacks chunks the registry lists",
    StoreProblem.LEXICAL_ORPHANS: "the lexical index holds rows no chunk owns",
}


@dataclass(frozen=True)
class StoreHealth:
    """The cheap verdict: counts per store and what disagrees."""

    registry_chunks: int
    lexical_chunks: int
    dense_chunks: int | None  # None when Chroma could not be read
    problems: tuple[StoreProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self) -> str:
        """One line for a warning banner or a log."""
        if self.ok:
            return f"knowledge stores agree ({self.registry_chunks} chunks)"
        dense = "unreadable" if self.dense_chunks is None else str(self.dense_chunks)
        return (
            "knowledge stores disagree: "
            + "; ".join(_EXPLAINED[problem] for problem in self.problems)
            + f" (registry {self.registry_chunks}, lexical {self.lexical_chunks}, Chroma {dense} chunks)."
            " Run `lastmile kb repair`."
        )


@dataclass
class Drift:
    """The full comparison: which chunk ids each store lacks or holds in excess, by document."""

    registry_chunks: int = 0
    lexical_chunks: int = 0
    dense_chunks: int | None = 0
    dense_missing: dict[str, list[str]] = field(default_factory=dict)  # document id -> chunk ids
    dense_orphans: list[str] = field(default_factory=list)
    lexical_missing: dict[str, list[str]] = field(default_factory=dict)
    lexical_orphans: list[int] = field(default_factory=list)  # FTS row ids
    problems: list[StoreProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok, "problems": [problem.value for problem in self.problems]}


@dataclass
class Repair:
    dense_orphans_removed: int = 0
    lexical_orphans_removed: int = 0
    vectors_restored: int = 0  # re-embedded from the lexical index's text
    lexical_restored: int = 0  # rebuilt from Chroma's copy of the text
    documents_to_reingest: list[str] = field(default_factory=list)  # neither store had a chunk's text

    def as_dict(self) -> dict:
        return asdict(self)


def health(kb: KnowledgeBase) -> StoreHealth:
    kb.refresh()
    registry = int(kb.db.query("SELECT COUNT(*) FROM chunks")[0][0])
    lexical = int(kb.db.query("SELECT COUNT(*) FROM chunks_fts")[0][0])
    problems: list[StoreProblem] = []
    if kb.dense.path is not None and not (Path(kb.dense.path) / CHROMA_FILE).exists():
        problems.append(StoreProblem.DENSE_FOLDER_MISSING)
    try:
        dense: int | None = kb.dense.count()
    except Exception:  # Chroma raises its own and SQLite's errors on a broken store
        dense = None
        problems.append(StoreProblem.DENSE_UNREADABLE)
    if dense is not None and dense < registry:
        problems.append(StoreProblem.DENSE_MISSING)
    elif dense is not None and dense > registry:
        problems.append(StoreProblem.DENSE_ORPHANS)
    if lexical < registry:
        problems.append(StoreProblem.LEXICAL_MISSING)
    elif lexical > registry:
        problems.append(StoreProblem.LEXICAL_ORPHANS)
    return StoreHealth(registry, lexical, dense, tuple(problems))


def check(kb: KnowledgeBase) -> Drift:
    kb.refresh()
    rows = kb.db.query(
        "SELECT c.id, c.document_id, f.rowid AS fts FROM chunks c LEFT JOIN chunks_fts f ON f.rowid = c.seq"
    )
    owner = {row["id"]: row["document_id"] for row in rows}
    drift = Drift(registry_chunks=len(owner))
    drift.lexical_orphans = [
        row[0]
        for row in kb.db.query(
            "SELECT f.rowid FROM chunks_fts f LEFT JOIN chunks c ON c.seq = f.rowid "
            "WHERE c.seq IS NULL OR c.id != f.chunk_id"
        )
    ]
    drift.lexical_chunks = int(kb.db.query("SELECT COUNT(*) FROM chunks_fts")[0][0])
    drift.lexical_missing = _by_document(
        (row["id"], row["document_id"]) for row in rows if row["fts"] is None
    )
    if kb.dense.path is not None and not (Path(kb.dense.path) / CHROMA_FILE).exists():
        drift.problems.append(StoreProblem.DENSE_FOLDER_MISSING)
    try:
        dense_ids = kb.dense.ids()
    except Exception:  # as in health()
        drift.dense_chunks = None
        drift.problems.append(StoreProblem.DENSE_UNREADABLE)
    else:
        drift.dense_chunks = len(dense_ids)
        drift.dense_missing = _by_document((i, owner[i]) for i in owner.keys() - dense_ids)
        drift.dense_orphans = sorted(dense_ids - owner.keys())
    for problem, found in (
        (StoreProblem.DENSE_MISSING, drift.dense_missing),
        (StoreProblem.DENSE_ORPHANS, drift.dense_orphans),
        (StoreProblem.LEXICAL_MISSING, drift.lexical_missing),
        (StoreProblem.LEXICAL_ORPHANS, drift.lexical_orphans),
    ):
        if found:
            drift.problems.append(problem)
    return drift


def repair(kb: KnowledgeBase) -> Repair:
    """Make the stores agree (under the writer lock): see the module docstring."""
    done = Repair()
    with kb.writing():
        drift = check(kb)
        if StoreProblem.DENSE_FOLDER_MISSING in drift.problems or drift.dense_chunks is None:
            kb.dense.reopen()  # an embedded client on a deleted folder: start a fresh one
            drift = check(kb)
        kb.dense.delete(drift.dense_orphans)
        done.dense_orphans_removed = len(drift.dense_orphans)
        missing_dense = {i for ids in drift.dense_missing.values() for i in ids}
        missing_lexical = {i for ids in drift.lexical_missing.values() for i in ids}
        from_lexical = _chunks_from_lexical(kb, sorted(missing_dense - missing_lexical))
        if from_lexical:
            kb.dense.add(from_lexical, kb.embed_chunks(from_lexical))
        done.vectors_restored = len(from_lexical)
        from_dense = kb.dense.get(sorted(missing_lexical - missing_dense))
        lost = {owner for owner, ids in drift.dense_missing.items() if set(ids) & missing_lexical}
        with kb.db.transaction() as conn:
            conn.executemany(
                "DELETE FROM chunks_fts WHERE rowid = ?", [(rowid,) for rowid in drift.lexical_orphans]
            )
            for document_id, chunks in _by_document(
                (chunk, chunk.document_id) for chunk in from_dense
            ).items():
                LexicalIndex.write(conn, document_id, chunks)
            for document_id in sorted(lost):
                DocumentRegistry.forget_hash(conn, document_id)
            kb.writer.bump(conn)
        done.lexical_orphans_removed = len(drift.lexical_orphans)
        done.lexical_restored = len(from_dense)
        done.documents_to_reingest = sorted(lost)
    return done


def _chunks_from_lexical(kb: KnowledgeBase, ids: list[str]) -> list[Chunk]:
    """Registered chunks rebuilt from the registry and the lexical index's copy of their text."""
    chunks = []
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        part = ids[start : start + 500]
        rows = kb.db.query(
            "SELECT c.id, c.document_id, c.heading, c.page, c.ordinal, f.body, d.title FROM chunks c "
            "JOIN chunks_fts f ON f.rowid = c.seq JOIN documents d ON d.id = c.document_id "
            f"WHERE c.id IN ({','.join('?' * len(part))})",
            part,
        )
        chunks += [chunk_of(row, "id") for row in rows]
    return chunks


def _by_document(pairs) -> dict:
    grouped: dict = defaultdict(list)
    for item, document_id in pairs:
        grouped[document_id].append(item)
    return {document_id: sorted(items, key=str) for document_id, items in sorted(grouped.items())}

"""The document registry: one row per source document and the ids of the chunks it currently owns."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from knowledge.store_db import KnowledgeDB
from knowledge.types import Chunk

FILTERABLE = ("id", "type", "owner", "title")  # registry columns a search may be restricted by


@dataclass(frozen=True)
class DocumentRecord:
    id: str
    content_hash: str
    title: str
    type: str
    version: int
    owner: str
    updated_at: str
    size_bytes: int
    chunk_count: int
    source_root: str = ""  # the folder it was ingested from (resolved), '' for uploads and saved replies
    authoritative: bool = True  # its sensitive statements (price, contract, roadmap) may reach a buyer
    flagged_chunks: int = 0  # chunks carrying planted instructions (knowledge/trust.py)
    approved: bool = False  # an admin approved this content despite its flagged chunks
    approved_by: str = ""


class DocumentRegistry:
    # `list` below is a method: annotations in this class name the built-in type as builtins.list.
    def __init__(self, db: KnowledgeDB) -> None:
        self._db = db

    def get(self, document_id: str) -> DocumentRecord | None:
        rows = self._db.query(_SELECT + " WHERE d.id = ? GROUP BY d.id", (document_id,))
        return _record(rows[0]) if rows else None

    def list(self) -> list[DocumentRecord]:
        return [_record(row) for row in self._db.query(_SELECT + " GROUP BY d.id ORDER BY d.id")]

    def matching(self, filters: Mapping[str, str | Sequence[str]]) -> builtins.list[str]:
        """Ids of the documents whose fields equal the filter values (a sequence means any of them)."""
        clauses, params = [], []
        for name, wanted in filters.items():
            if name not in FILTERABLE:
                raise ValueError(f"cannot filter on {name!r}; use one of {', '.join(FILTERABLE)}")
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            clauses.append(f"{name} IN ({','.join('?' * len(values))})" if values else "1 = 0")
            params.extend(values)
        where = " AND ".join(clauses) or "1 = 1"  # portable: PostgreSQL wants a boolean
        return [
            row[0] for row in self._db.query(f"SELECT id FROM documents WHERE {where} ORDER BY id", params)
        ]

    def chunk_ids(self, document_id: str | None = None) -> set[str]:
        if document_id is None:
            return {row[0] for row in self._db.query("SELECT id FROM chunks")}
        return {
            row[0] for row in self._db.query("SELECT id FROM chunks WHERE document_id = ?", (document_id,))
        }

    def known_chunk_ids(self, ids: builtins.list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            found |= {row[0] for row in self._db.query(f"SELECT id FROM chunks WHERE id IN ({marks})", part)}
        return found

    def chunks(self, document_id: str) -> builtins.list[tuple[str, str, str | None, str]]:
        """(chunk id, heading, page, text) in document order."""
        return [
            (row["id"], row["heading"], row["page"], row["body"])
            for row in self._db.query(
                "SELECT c.id, c.heading, c.page, f.body FROM chunks c "
                "JOIN chunks_fts f ON f.rowid = c.seq WHERE c.document_id = ? ORDER BY c.ordinal",
                (document_id,),
            )
        ]

    @staticmethod
    def write(
        conn: sqlite3.Connection,
        *,
        document_id: str,
        content_hash: str,
        title: str,
        type: str,
        owner: str,
        size_bytes: int,
        chunks: builtins.list[Chunk],
        source_root: str = "",
        authoritative: bool | None = None,
        flags: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Insert or replace the row and its chunk list, inside the caller's transaction.

        `authoritative` None keeps the document's mark (a new document is authoritative); `flags` maps
        chunk ids to the injection signals found in them. An approval stays with the content it covered.
        """
        previous = conn.execute(
            "SELECT version, authoritative FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        version = previous[0] + 1 if previous else 1
        if authoritative is None:
            authoritative = bool(previous[1]) if previous else True
        flags = flags or {}
        now = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))
        conn.execute(
            "INSERT INTO documents(id, content_hash, title, type, version, owner, updated_at, size_bytes, "
            "source_root, authoritative) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "content_hash = excluded.content_hash, title = excluded.title, type = excluded.type, "
            "version = excluded.version, owner = excluded.owner, updated_at = excluded.updated_at, "
            "size_bytes = excluded.size_bytes, source_root = excluded.source_root, "
            "authoritative = excluded.authoritative",
            (
                document_id,
                content_hash,
                title,
                type,
                version,
                owner,
                now,
                size_bytes,
                source_root,
                authoritative,
            ),
        )
        conn.executemany(
            "INSERT INTO chunks(id, document_id, ordinal, heading, page, flag) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c.id, document_id, c.ordinal, c.heading, c.page, ",".join(flags.get(c.id, ())))
                for c in chunks
            ],
        )

    @staticmethod
    def remove(conn: sqlite3.Connection, document_id: str) -> None:
        conn.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))
        conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))

    def from_source(self, source_root: str) -> builtins.list[str]:
        """Ids of the documents ingested from this (resolved) folder."""
        rows = self._db.query("SELECT id FROM documents WHERE source_root = ? ORDER BY id", (source_root,))
        return [row[0] for row in rows]

    @staticmethod
    def set_source_root(conn: sqlite3.Connection, document_id: str, source_root: str) -> None:
        """Record where an unchanged document was found (a registry from before sources were kept)."""
        conn.execute("UPDATE documents SET source_root = ? WHERE id = ?", (source_root, document_id))

    @staticmethod
    def forget_hash(conn: sqlite3.Connection, document_id: str) -> None:
        """Mark a document as needing re-ingestion (its chunks went missing from the dense index)."""
        conn.execute("UPDATE documents SET content_hash = '' WHERE id = ?", (document_id,))


_SELECT = (
    "SELECT d.id, d.content_hash, d.title, d.type, d.version, d.owner, d.updated_at, d.size_bytes, "
    "COUNT(c.id) AS chunk_count, d.source_root, d.authoritative, "
    "COALESCE(SUM(CASE WHEN c.flag != '' THEN 1 ELSE 0 END), 0) AS flagged_chunks, "
    "(d.approved_hash != '' AND d.approved_hash = d.content_hash) AS approved, d.approved_by "
    "FROM documents d LEFT JOIN chunks c ON c.document_id = d.id"
)
_BOOLEANS = ("authoritative", "approved")


def _record(row: sqlite3.Row) -> DocumentRecord:
    fields = {key: row[key] for key in row.keys()}  # noqa: SIM118 (sqlite3.Row)
    return DocumentRecord(**{**fields, **{key: bool(fields[key]) for key in _BOOLEANS}})

"""In-memory BM25 over the lexical index's rows, scored as SQLite FTS5's `bm25()` scores them.

FTS5 stays the store of record (written in each document's transaction, used by the consistency checks);
this index is what a search reads. FTS5's BM25 walks the posting list of every query term on disk and
ranks every matching row: at 100k chunks that cost p50 53 / p95 83 ms a query, more than the dense side.
Here the postings are numpy arrays in memory and a query is a few vectorised additions (issue #16; the
figures are in docs/performance.md, measured by bench/query.py).

Scoring follows FTS5's bm25 (k1 1.2, b 0.75, IDF clamped at 1e-6, document length = tokens of the
indexed columns, the column weights applied to term frequencies), and tokens follow its `porter unicode61
remove_diacritics 2` tokenizer: letters and digits, lower-cased, diacritics removed, the Porter stemmer
(PyStemmer's, applied as FTS5 applies its own: to tokens of 3 to 64 characters). A query term the
tokenizer splits in two (`foo_bar`) counts as two terms here, as one phrase in FTS5: the only known
divergence.

On shared stores the rows are PostgreSQL's (the same `chunks` and `chunks_fts` tables): PostgreSQL full text
stays the store of record there, and each app process searches its own in-memory copy, since `ts_rank`
over every row matching any query term cost p50 419 ms at 100k chunks (docs/deploy.md).

The index reads the rows once, on the first search, and afterwards on every change of the generation
counter that writers bump (knowledge/writer.py): rows another process (or this one) added are tokenised
into a new segment, removed ones masked; a full rebuild compacts it when a quarter of the rows are dead.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from knowledge.lexical_index import LexicalIndex, chunk_of, fts_query
from knowledge.store_db import KnowledgeDB
from knowledge.text import STOPWORDS
from knowledge.types import Hit

K1, B = 1.2, 0.75  # FTS5's bm25() constants
MIN_IDF = 1e-6  # FTS5 clamps a non-positive IDF (a term in over half the rows) to this
WEIGHTS = (2.0, 1.5, 1.0)  # title, heading, body: the weights LexicalIndex passes to bm25()
_TOKEN = re.compile(r"[^\W_]+")  # unicode61: letters and digits; everything else separates
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
_QUERY_TERM = re.compile(r"[\w]+")  # how fts_query cuts a message into terms
MAX_QUERY_TERMS = 64  # as fts_query
PORTER_MIN, PORTER_MAX = 3, 64  # FTS5's porter tokenizer leaves shorter and longer tokens unstemmed
COMPACT_AT = 0.25  # share of dead rows that triggers a full rebuild
_LOAD_ROWS = 5000  # rows fetched from SQLite at a time
# Rows per segment when loading: bounds the temporary arrays of a load (about 10 int64s a token) to some
# 200 MB at 100k chunks of 120 words, for a few more array slices per query term.
SEGMENT_ROWS = 20_000


class CommonTermCounter(Protocol):
    """The lexical store of record, which counts common terms: FTS5, or PostgreSQL full text."""

    def common_terms(self, text: str, share: float) -> set[str]: ...


class Tokenizer:
    """FTS5's `porter unicode61 remove_diacritics 2`, closely enough to rank alike (see the module doc)."""

    def __init__(self) -> None:
        import Stemmer  # PyStemmer: the Snowball "porter" algorithm is Porter's original, as FTS5's

        self._stemmer = Stemmer.Stemmer("porter")
        self._stems: dict[str, str] = {}

    def words(self, text: str) -> list[str]:
        text = text.lower()
        if text.isascii():  # the common case, ~5x faster than the regex: punctuation to spaces, split
            return text.translate(_ASCII_SEPARATORS).split()
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
        return _TOKEN.findall(text)

    def stems(self, words: Sequence[str]) -> list[str]:
        cache = self._stems
        unknown = [w for w in dict.fromkeys(words) if w not in cache]
        if unknown:
            stemmable = [w for w in unknown if PORTER_MIN <= len(w) <= PORTER_MAX]
            cache.update(zip(stemmable, self._stemmer.stemWords(stemmable), strict=True))
            cache.update((w, w) for w in unknown if not PORTER_MIN <= len(w) <= PORTER_MAX)
        return [cache[w] for w in words]

    def query_terms(self, text: str) -> list[str]:
        """The stems of a message's query terms, as fts_query builds them: distinct words, stopwords out,
        at most 64; two words with one stem are two phrases in FTS5's query, so they count twice here."""
        words = [w for w in dict.fromkeys(_QUERY_TERM.findall(text.lower())) if w not in STOPWORDS]
        terms = []
        for word in words[:MAX_QUERY_TERMS]:
            terms.extend(self.stems(self.words(word)))
        return terms


@dataclass
class _Segment:
    """Postings of a batch of rows: for term id t, rows[start[t]:start[t+1]] with weighted frequencies."""

    start: np.ndarray  # int64, len = vocabulary size when built + 1
    rows: np.ndarray  # int32 slot numbers
    freqs: np.ndarray  # float32 weighted term frequencies

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray] | None:
        if term + 1 >= len(self.start):
            return None
        a, b = self.start[term], self.start[term + 1]
        return (self.rows[a:b], self.freqs[a:b]) if b > a else None


class SparseIndex:
    """BM25 over the chunks of a `KnowledgeDB`, held in memory and kept current by the generation counter."""

    def __init__(self, db: KnowledgeDB, *, record: CommonTermCounter | None = None) -> None:
        self._db = db
        self._record = record or LexicalIndex(db)  # the store of record: FTS5 unless told otherwise
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._reset()

    def _reset(self) -> None:
        self._terms: dict[str, int] = {}  # stem -> term id
        self._word_ids: dict[str, int] = {}  # token -> its stem's term id
        self._segments: list[_Segment] = []
        self._slot_of: dict[tuple[int, str], int] = {}  # (seq, chunk id) -> slot
        self._seqs = np.zeros(0, dtype=np.int64)
        self._lengths = np.zeros(0, dtype=np.float64)
        self._alive = np.zeros(0, dtype=bool)
        self._documents = np.zeros(0, dtype=np.int32)
        self._document_ids: dict[str, int] = {}
        self._live_rows = 0
        self._live_tokens = 0.0

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            self._tokenizer = Tokenizer()
        return self._tokenizer

    # --- keeping current ---------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Load what changed since the last look (everything, the first time); True if anything did."""
        with self._lock:
            rows = self._db.query("SELECT value FROM kb_state WHERE key = 'generation'")
            generation = int(rows[0][0]) if rows else 0
            if generation == self._generation:
                return False
            current = {(row[0], row[1]) for row in self._db.query("SELECT seq, id FROM chunks")}
            gone = self._slot_of.keys() - current
            dead = (len(self._seqs) - self._live_rows + len(gone)) / max(1, len(current))
            if dead > COMPACT_AT:
                self._reset()
                gone = set()
            for key in gone:
                slot = self._slot_of.pop(key)
                self._alive[slot] = False
                self._live_rows -= 1
                self._live_tokens -= self._lengths[slot]
            added = sorted(seq for seq, chunk_id in current if (seq, chunk_id) not in self._slot_of)
            self._load(added)
            self._generation = generation
            return True

    def _load(self, seqs: list[int]) -> None:
        for start in range(0, len(seqs), SEGMENT_ROWS):
            self._load_segment(seqs[start : start + SEGMENT_ROWS])

    def _load_segment(self, seqs: list[int]) -> None:
        """Tokenise these rows into one new segment (per-token work stays in C: split, set, map, numpy)."""
        if not seqs:
            return
        words: list[str] = []
        counts: list[int] = []  # tokens per (row, column)
        keys, documents = [], []
        for start in range(0, len(seqs), _LOAD_ROWS):
            part = seqs[start : start + _LOAD_ROWS]
            for row in self._db.query(
                "SELECT c.seq, c.id, f.document_id, f.title, f.heading, f.body FROM chunks c "
                f"JOIN chunks_fts f ON f.rowid = c.seq WHERE c.seq IN ({','.join('?' * len(part))})",
                part,
            ):
                keys.append((row[0], row[1]))
                documents.append(self._document_ids.setdefault(row[2], len(self._document_ids)))
                for text in (row[3], row[4], row[5]):
                    found = self.tokenizer.words(text or "")
                    words.extend(found)
                    counts.append(len(found))
        term_of = self._term_ids(words)
        per_column = np.asarray(counts, dtype=np.int64)
        first_slot = len(self._seqs)
        slots = np.repeat(np.repeat(np.arange(first_slot, first_slot + len(keys)), len(WEIGHTS)), per_column)
        weights = np.repeat(np.tile(np.asarray(WEIGHTS, dtype=np.float32), len(keys)), per_column)
        lengths = per_column.reshape(-1, len(WEIGHTS)).sum(axis=1).astype(np.float64)
        self._add_segment(term_of, slots, weights)
        for offset, key in enumerate(keys):
            self._slot_of[key] = first_slot + offset
        self._seqs = np.concatenate([self._seqs, np.asarray([k[0] for k in keys], dtype=np.int64)])
        self._lengths = np.concatenate([self._lengths, lengths])
        self._alive = np.concatenate([self._alive, np.ones(len(keys), dtype=bool)])
        self._documents = np.concatenate([self._documents, np.asarray(documents, dtype=np.int32)])
        self._live_rows += len(keys)
        self._live_tokens += float(lengths.sum())

    def _term_ids(self, words: list[str]) -> np.ndarray:
        """Term ids of these words (stemmed once per distinct word, ever)."""
        word_ids = self._word_ids
        unknown = list(set(words) - word_ids.keys())
        for word, stem in zip(unknown, self.tokenizer.stems(unknown), strict=True):
            word_ids[word] = self._terms.setdefault(stem, len(self._terms))
        return np.fromiter(map(word_ids.__getitem__, words), dtype=np.int64, count=len(words))

    def _add_segment(self, terms: np.ndarray, slots: np.ndarray, weights: np.ndarray) -> None:
        vocabulary = len(self._terms)
        if len(terms) == 0:
            return
        # One entry per (term, row): the weighted frequencies of a term's occurrences summed.
        keys = terms * (int(slots.max()) + 1) + slots
        unique, inverse = np.unique(keys, return_inverse=True)
        freqs = np.bincount(inverse, weights=weights).astype(np.float32)
        span = int(slots.max()) + 1
        term_of, slot_of = unique // span, (unique % span).astype(np.int32)
        start = np.zeros(vocabulary + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_of, minlength=vocabulary), out=start[1:])
        self._segments.append(_Segment(start, slot_of, freqs))

    # --- reading -----------------------------------------------------------------------------------

    def _scores(self, terms: Iterable[str]) -> np.ndarray:
        scores = np.zeros(len(self._seqs), dtype=np.float64)
        rows_total = self._live_rows
        if not rows_total:
            return scores
        average = self._live_tokens / rows_total
        dead = rows_total != len(self._seqs)
        for term in terms:
            term_id = self._terms.get(term)
            if term_id is None:
                continue
            found = [p for segment in self._segments if (p := segment.postings(term_id)) is not None]
            if not found:
                continue
            rows = np.concatenate([p[0] for p in found]) if len(found) > 1 else found[0][0]
            freqs = np.concatenate([p[1] for p in found]) if len(found) > 1 else found[0][1]
            if dead:
                keep = self._alive[rows]
                rows, freqs = rows[keep], freqs[keep]
            hits = len(rows)
            if not hits:
                continue
            idf = math.log((rows_total - hits + 0.5) / (hits + 0.5))
            idf = idf if idf > 0 else MIN_IDF
            norm = K1 * (1 - B + B * self._lengths[rows] / average)
            scores[rows] += idf * (freqs * (K1 + 1)) / (freqs + norm)
        return scores

    def search(self, text: str, k: int = 10, document_ids: Sequence[str] | None = None) -> list[Hit]:
        if not fts_query(text):
            return []
        self.refresh()
        with self._lock:
            scores = self._scores(self.tokenizer.query_terms(text))
            if document_ids:
                wanted = [self._document_ids[d] for d in document_ids if d in self._document_ids]
                scores[~np.isin(self._documents, wanted)] = 0.0
            matching = np.flatnonzero(scores > 0)
            if len(matching) > k:
                # Only rows scoring at least the k-th best score can rank in the top k (ties at it
                # included), so only they are sorted: sorting every match (most of 100k rows for common
                # words) cost ~2.5 ms a query. Ties broken by row order, as FTS5 returns them.
                found = scores[matching]
                kth = np.partition(found, len(found) - k)[len(found) - k]
                matching = matching[found >= kth]
                order = np.lexsort((self._seqs[matching], -scores[matching]))[:k]
                matching = matching[order]
            else:
                matching = matching[np.lexsort((self._seqs[matching], -scores[matching]))]
            ranked = [(int(self._seqs[slot]), float(scores[slot])) for slot in matching]
        return self._hits(ranked)

    def _hits(self, ranked: list[tuple[int, float]]) -> list[Hit]:
        if not ranked:
            return []
        rows = {
            row["seq"]: row
            for row in self._db.query(
                "SELECT c.seq, f.chunk_id, f.document_id, f.title, f.heading, f.body, c.page, c.ordinal "
                "FROM chunks c JOIN chunks_fts f ON f.rowid = c.seq "
                f"WHERE c.seq IN ({','.join('?' * len(ranked))})",
                [seq for seq, _ in ranked],
            )
        }
        return [
            Hit(
                chunk=chunk_of(row),
                score=score,
            )
            for seq, score in ranked
            if (row := rows.get(seq)) is not None  # deleted since the last refresh: skipped
        ]

    def common_terms(self, text: str, share: float) -> set[str]:
        """The text's words that at least `share` of all chunks contain, counted by the store of record
        (FTS5 or PostgreSQL full text) exactly as its own `common_terms` does."""
        return self._record.common_terms(text, share)

    def unseen_terms(self, text: str) -> set[str]:
        """The text's content words that no chunk contains, after stemming (as `LexicalIndex`'s)."""
        self.refresh()
        tokenizer = self.tokenizer
        unseen = set()
        with self._lock:
            for token in dict.fromkeys(_QUERY_TERM.findall(text.lower())):
                if token in STOPWORDS or len(token) < 3 or token.isdigit():
                    continue
                stems = tokenizer.stems(tokenizer.words(token))
                if not stems or not all(self._live_postings(stem) for stem in stems):
                    unseen.add(token)
        return unseen

    def _live_postings(self, term: str) -> bool:
        term_id = self._terms.get(term)
        if term_id is None:
            return False
        for segment in self._segments:
            found = segment.postings(term_id)
            if found is not None and self._alive[found[0]].any():
                return True
        return False

    def __len__(self) -> int:
        return self._live_rows

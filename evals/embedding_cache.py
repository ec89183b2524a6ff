"""A content-addressed cache of sentence embeddings for evals and training runs (never shipped).

Embedding ePQA's ~11k texts on two shared CPU cores takes minutes; the cache keeps one vector per distinct
text, keyed by the SHA-256 of the embedder's name and the text, in a gitignored `.npz` file. A text not in
the cache is embedded (in one batch, in first-seen order) and added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedder import Embedder

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR = REPO / ".cache" / "embeddings"  # .cache/ is in .gitignore


def _key(name: str, text: str) -> str:
    return hashlib.sha256(f"{name}\x00{text}".encode()).hexdigest()[:32]


class EmbeddingCache:
    """Vectors of texts under one embedder; `embed` returns them in the order asked."""

    def __init__(self, embedder: Embedder, directory: Path = DEFAULT_CACHE_DIR) -> None:
        self.embedder = embedder
        self.path = Path(directory) / f"{embedder.name}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            stored = np.load(self.path)
            self._vectors = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_key(self.embedder.name, t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._vectors))
        if missing:
            vectors = self.embedder.embed(missing)
            for text, vector in zip(missing, vectors, strict=True):
                self._vectors[_key(self.embedder.name, text)] = np.asarray(vector, dtype=np.float32)
            self._save()
        dimension = getattr(self.embedder, "dimension", 384)
        if not keys:
            return np.zeros((0, dimension), dtype=np.float32)
        return np.vstack([self._vectors[k] for k in keys]).astype(np.float32)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        temporary = self.path.with_suffix(".tmp.npz")
        np.savez(temporary, keys=np.array(keys), vectors=np.vstack([self._vectors[k] for k in keys]))
        temporary.replace(self.path)

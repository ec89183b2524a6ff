"""A terminal progress bar for ingestion (files and chunks, with rates), built on tqdm."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from assistant.knowledge_admin import Progress


@contextmanager
def terminal_progress(enabled: bool) -> Iterator[Progress]:
    if not enabled or not sys.stderr.isatty():
        yield Progress()
        return
    files = tqdm(desc="files", unit="file", position=0, file=sys.stderr, dynamic_ncols=True)
    chunks = tqdm(desc="embedded", unit="chunk", position=1, file=sys.stderr, dynamic_ncols=True)

    def on_start(total: int) -> None:
        files.reset(total=total)

    try:
        yield Progress(on_start=on_start, on_file=lambda _: files.update(1), on_chunks=chunks.update)
    finally:
        chunks.close()
        files.close()

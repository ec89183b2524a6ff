"""A terminal progress bar for the questions of an eval run (tqdm, on stderr, only on a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from evals.rows import Row


@contextmanager
def question_bar(enabled: bool = True) -> Iterator[tuple]:
    """Yields (on_start, on_question) hooks for `EvalProgress`; silent hooks when not on a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield (lambda total: None, lambda row: None)
        return
    bar = tqdm(desc="questions", unit="q", file=sys.stderr, dynamic_ncols=True)
    handed_off = 0

    def on_start(total: int) -> None:
        bar.reset(total=total)

    def on_question(row: Row) -> None:
        nonlocal handed_off
        handed_off += row.handoff
        bar.set_postfix(handed_off=handed_off, refresh=False)
        bar.update(1)

    try:
        yield on_start, on_question
    finally:
        bar.close()

"""Find the files to ingest under the given paths, with each file's document id.

A document id is the file's path relative to the folder that was ingested (a file named directly is
relative to its own folder). Links are not followed into loops; unreadable entries become failures, not
crashes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Candidate:
    path: Path
    document_id: str
    problem: str = ""  # set when the entry cannot even be read as a file


def discover(paths: Iterable[str | Path]) -> list[Candidate]:
    found: list[Candidate] = []
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            found.extend(_walk(root))
        elif root.is_symlink() and not root.exists():
            found.append(Candidate(root, root.name, _link_problem(root)))
        elif root.exists():
            found.append(Candidate(root, root.name))
        else:
            found.append(Candidate(root, root.name, "no such file or directory"))
    return sorted(found, key=lambda candidate: candidate.document_id)


def _walk(root: Path) -> Iterable[Candidate]:
    errors: list[OSError] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False, onerror=errors.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue  # editor swap files, .DS_Store
            path = Path(folder) / name
            document_id = path.relative_to(root).as_posix()
            if path.is_symlink() and not path.exists():
                yield Candidate(path, document_id, _link_problem(path))
            elif path.is_file():
                yield Candidate(path, document_id)
        # Symlinked folders are listed as dirnames but not entered (followlinks=False): say so.
        for name in list(dirnames):
            path = Path(folder) / name
            if path.is_symlink():
                yield Candidate(path, path.relative_to(root).as_posix(), "symlinked folder not followed")
    for error in errors:
        path = Path(error.filename or root)
        reason = error.strerror or type(error).__name__
        yield Candidate(path, _relative(path, root), f"cannot read folder: {reason}")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _link_problem(path: Path) -> str:
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return "symlink loop"
    except OSError as error:
        if error.errno == 40:  # ELOOP
            return "symlink loop"
        return "broken symlink"
    return "broken symlink"

"""Find the files to ingest under the given paths, with each file's document id.

A document id is the file's path relative to the folder that was ingested (a file named directly is
relative to its own folder). Symlinked folders are followed, but a folder is entered once: a link back
to a folder already on the way down is a symlink loop, reported, never walked. Entries that cannot be
read as regular files (broken links, FIFOs, unreadable folders) become failures with a reason, not crashes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
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
        info, problem = _stat(root)
        if info is not None and stat.S_ISDIR(info.st_mode):
            found.extend(_walk(root, "", [_key(info)], set()))
        else:
            found.append(Candidate(root, root.name, problem or _kind_problem(info)))
    return sorted(found, key=lambda candidate: candidate.document_id)


def _walk(
    folder: Path, prefix: str, ancestors: list[tuple[int, int]], visited: set[tuple[int, int]]
) -> Iterator[Candidate]:
    visited.add(ancestors[-1])
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        yield Candidate(folder, prefix.rstrip("/") or folder.name, f"cannot read folder: {_why(error)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # editor swap files, .DS_Store, .git
        path = Path(entry.path)
        document_id = prefix + entry.name
        info, problem = _stat(path)
        if info is None:
            yield Candidate(path, document_id, problem)
        elif stat.S_ISDIR(info.st_mode):
            key = _key(info)
            if key in ancestors:
                yield Candidate(path, document_id, "symlink loop: links back to a folder above it")
            elif key in visited:
                yield Candidate(path, document_id, "folder already ingested through another link")
            else:
                yield from _walk(path, document_id + "/", [*ancestors, key], visited)
        else:
            yield Candidate(path, document_id, _kind_problem(info))


def _stat(path: Path) -> tuple[os.stat_result | None, str]:
    """The entry's status, following links, or why it has none."""
    try:
        return path.stat(), ""
    except RuntimeError:  # pathlib's own loop detection on some Python versions
        return None, "symlink loop"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, "symlink loop"
        if error.errno == errno.ENOENT:
            return None, "broken symlink" if path.is_symlink() else "no such file or directory"
        return None, f"cannot read: {_why(error)}"


def _kind_problem(info: os.stat_result | None) -> str:
    if info is None or stat.S_ISREG(info.st_mode):
        return ""
    if stat.S_ISFIFO(info.st_mode):
        return "not a regular file (named pipe)"
    if stat.S_ISSOCK(info.st_mode):
        return "not a regular file (socket)"
    return "not a regular file (device)"


def _key(info: os.stat_result) -> tuple[int, int]:
    return (info.st_dev, info.st_ino)


def _why(error: OSError) -> str:
    return error.strerror or type(error).__name__

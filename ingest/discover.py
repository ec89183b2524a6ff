"""Find the files to ingest under the given paths, with each file's document id.

A document id is the file's path relative to the folder that was ingested (a file named directly is
relative to its own folder). A symlink that leads outside the folder being ingested is refused (a link
to /etc or to another team's files would publish them to buyers) unless the caller asks to follow links;
links that stay inside are followed, but a folder is entered once: a link back to a folder already on the
way down is a symlink loop, reported, never walked. Entries that cannot be read as regular files (broken
links, FIFOs, unreadable folders) become failures with a reason, not crashes. Hard links cannot be told
from the file they share: whoever can write the folder decides what it holds.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

OUTSIDE_LINK = "symlink leads outside the ingested folder (refused; --follow-symlinks allows it)"


@dataclass(frozen=True)
class Candidate:
    path: Path
    document_id: str
    problem: str = ""  # set when the entry cannot even be read as a file
    root: str = ""  # the folder it was found in, resolved (the file's own folder when named directly)


def discover(paths: Iterable[str | Path], *, follow_symlinks: bool = False) -> list[Candidate]:
    found: list[Candidate] = []
    for raw in paths:
        root = Path(raw)
        info, problem = _stat(root)
        if info is not None and stat.S_ISDIR(info.st_mode):
            walk = _Walk(os.path.realpath(root), follow_symlinks)
            found.extend(walk.folder(root, "", [_key(info)]))
        else:
            parent = os.path.realpath(root.parent)
            found.append(Candidate(root, root.name, problem or _kind_problem(info), parent))
    return sorted(found, key=lambda candidate: candidate.document_id)


class _Walk:
    """One folder's walk: its resolved path (what links must stay under) and the folders entered."""

    def __init__(self, root: str, follow_symlinks: bool) -> None:
        self.root = root
        self.follow_symlinks = follow_symlinks
        self.visited: set[tuple[int, int]] = set()

    def outside(self, path: Path) -> bool:
        """A link whose target (after every hop) is not under the root; plain entries are inside."""
        if self.follow_symlinks or not path.is_symlink():
            return False
        real = os.path.realpath(path)
        return real != self.root and not real.startswith(self.root.rstrip(os.sep) + os.sep)

    def folder(self, folder: Path, prefix: str, ancestors: list[tuple[int, int]]) -> Iterator[Candidate]:
        self.visited.add(ancestors[-1])
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            shown = prefix.rstrip("/") or folder.name
            yield Candidate(folder, shown, f"cannot read folder: {_why(error)}", self.root)
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue  # editor swap files, .DS_Store, .git
            yield from self.entry(Path(entry.path), prefix + entry.name, ancestors)

    def entry(self, path: Path, document_id: str, ancestors: list[tuple[int, int]]) -> Iterator[Candidate]:
        info, problem = _stat(path)
        if info is None:
            yield Candidate(path, document_id, problem, self.root)
        elif self.outside(path):
            yield Candidate(path, document_id, OUTSIDE_LINK, self.root)
        elif stat.S_ISDIR(info.st_mode):
            key = _key(info)
            if key in ancestors:
                yield Candidate(path, document_id, "symlink loop: links back to a folder above it", self.root)
            elif key in self.visited:
                yield Candidate(path, document_id, "folder already ingested through another link", self.root)
            else:
                yield from self.folder(path, document_id + "/", [*ancestors, key])
        else:
            yield Candidate(path, document_id, _kind_problem(info), self.root)


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

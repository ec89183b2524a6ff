"""Is the SQL schema already at the newest migration? Answered without importing Alembic.

Opening the database ran Alembic's upgrade check every time (~0.4 s of imports and script loading), which
kept commands such as `lastmile users list` over issue #16's 1 s budget although the schema is nearly always
current. The newest revision is read here from the migration files themselves (each declares `revision`
and `down_revision`), so the folder stays the only place revisions are written; tests check this agrees
with Alembic's own `ScriptDirectory` head.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, inspect, text

_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@cache
def head_revision(versions: Path) -> str | None:
    """The one revision no other revision builds on; None when there are several heads or none (then
    Alembic, not this shortcut, decides what to run)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        found = dict(_ASSIGNMENT.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update([down] if isinstance(down, str) else down or ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def at_head(connection: Connection, versions: Path) -> bool:
    """True when the database records exactly the newest revision: nothing to migrate."""
    head = head_revision(versions)
    if head is None or not inspect(connection).has_table("alembic_version"):
        return False
    recorded = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
    return recorded == [head]

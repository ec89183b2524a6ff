"""Where the shared, real evaluation data lives: ../shared/evaldata next to the checkout (read in place,
never copied), or the folder named by LASTMILE_EVALDATA (a worktree elsewhere points it at the real one)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVALDATA = Path(os.environ.get("LASTMILE_EVALDATA") or REPO.parent / "shared" / "evaldata")

"""The confirmations dataset (evals/data/confirmations/): records, claims, and the dev/test split.

A record's split is decided by a hash of its knowledge base and primary document (`split_of`), so every
confirmation about one document is in one split. The salt names the split's generation: it was changed
once ("v2") after the first test split had been looked at during rule writing, before any tuning on the
new dev split (see the README).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "evals" / "data" / "confirmations"
SPLITS = ("dev", "test")
SPLIT_SALT = "confirmations-v2"
VERDICTS = ("yes", "yes_with_conditions", "no", "not_documented")


@dataclass(frozen=True)
class GoldClaim:
    text: str
    polarity: str  # asserted | denied
    verdict: str  # one of VERDICTS
    conditions: list[dict] = field(default_factory=list)
    alternative: str = ""
    evidence: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Confirmation:
    id: str
    kb: str  # "sample" or "samsung-s10"
    question: str
    document: str
    split: str
    claims: list[GoldClaim]
    history: list[str] = field(default_factory=list)
    followup: bool | None = None


def split_of(kb: str, document: str) -> str:
    digest = hashlib.sha256(f"{SPLIT_SALT}/{kb}/{document}".encode()).hexdigest()
    return "dev" if int(digest[:8], 16) % 2 == 0 else "test"


def _record(row: dict) -> Confirmation:
    claims = [
        GoldClaim(
            text=c["text"],
            polarity=c.get("polarity", "asserted"),
            verdict=c["verdict"],
            conditions=list(c.get("conditions") or []),
            alternative=c.get("alternative") or "",
            evidence=list(c.get("evidence") or []),
        )
        for c in row["claims"]
    ]
    if not claims or any(c.verdict not in VERDICTS for c in claims):
        raise ValueError(f"{row.get('id')}: every record needs claims with a verdict in {VERDICTS}")
    return Confirmation(
        id=row["id"],
        kb=row["kb"],
        question=row["question"],
        document=row["document"],
        split=row["split"],
        claims=claims,
        history=list(row.get("history") or []),
        followup=row.get("followup"),
    )


def load_confirmations(path: str | Path) -> list[Confirmation]:
    """Records from one JSONL file, or from every split in a folder."""
    path = Path(path)
    files = [path / f"{split}.jsonl" for split in SPLITS] if path.is_dir() else [path]
    records = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    records.append(_record(json.loads(line)))
                except (KeyError, ValueError) as error:
                    raise ValueError(f"{file}:{number}: {error}") from error
    return records


def resplit(folder: Path = DATA_DIR) -> dict[str, int]:
    """Reassign every record's split with `split_of` and rewrite dev.jsonl and test.jsonl (lines kept)."""
    rows = [
        json.loads(line)
        for split in SPLITS
        for line in (folder / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rows.sort(key=lambda r: r["id"])
    out: dict[str, list[str]] = {split: [] for split in SPLITS}
    for row in rows:
        row["split"] = split_of(row["kb"], row["document"])
        out[row["split"]].append(json.dumps(row, ensure_ascii=False))
    for split, lines in out.items():
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {split: len(lines) for split, lines in out.items()}

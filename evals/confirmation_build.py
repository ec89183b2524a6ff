"""Build the confirmations dataset's JSONL records from the authoring files in evals/data/confirmations/source/.

Format (evals/data/confirmations/README.md): one item per paragraph, `#` lines are comments; `q:` the message,
`h:` earlier buyer turns, `f:` yes/no (does the last message need them), `doc:` the primary document (else the
first claim's first evidence document), `c:` / `c-:` an asserted / denied claim
`text => verdict [conditions | alt=...] => document: snippet ;; document: snippet`. A verdict is `yes`, `yes+`
(with `kind=value & kind=value` conditions), `no` (optionally `alt=...`) or `nd`. Every snippet is resolved to
the one sentence of its document that contains it (`knowledge.sentences.split_sentences` over the ingested,
normalised text, as chunks hold it), so gold sentences are verbatim; a snippet matching no sentence or several is an error.

Ids: each source file has an id prefix (`SOURCES`) and records are numbered in file order. Records already in
dev.jsonl / test.jsonl are kept as they are (their lines unchanged), so adding a batch file never rewrites
the other split's records; new records get their split from `split_of`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from evals.confirmation_data import DATA_DIR, SPLITS, split_of
from ingest.chunking import normalise
from ingest.loaders import load_bytes
from knowledge.sentences import split_sentences

# Source file -> (knowledge base, id prefix). Files are read in this order.
SOURCES = {
    "sample.txt": ("sample", "dp-"),
    "samsung-s10.txt": ("samsung-s10", "s10-"),
    "sample-batch2.txt": ("sample", "dp2-"),
    "samsung-s10-batch2.txt": ("samsung-s10", "s10b2-"),
}
_VERDICTS = {"yes": "yes", "yes+": "yes_with_conditions", "no": "no", "nd": "not_documented"}


def kb_folder(kb: str, evaldata: Path) -> Path:
    return (
        Path(__file__).resolve().parent.parent / "knowledge" / "samples"
        if kb == "sample"
        else evaldata / kb / "kb"
    )


@cache
def _sentences(folder: Path, document: str) -> tuple[str, ...]:
    path = folder / document
    loaded = load_bytes(path.name, path.read_bytes())
    return tuple(s for section in loaded.sections for s in split_sentences(normalise(section.text)))


def _resolve(folder: Path, document: str, snippet: str, where: str) -> str:
    sentences = _sentences(folder, document)
    hits = sorted({s for s in sentences if snippet in s})
    if not hits:  # a snippet running over a line break (a PDF's wrapped line): the sentence it holds
        hits = sorted({s for s in sentences if len(s) > 20 and s.rstrip(".") in snippet})
    if len(hits) != 1:
        raise ValueError(
            f"{where}: snippet {snippet!r} matches {len(hits)} sentences of {document}: {hits[:3]}"
        )
    return hits[0]


def _claim(line: str, folder: Path, where: str) -> dict:
    key, _, body = line.partition(":")
    parts = [p.strip() for p in body.split("=>")]
    if len(parts) not in (2, 3):
        raise ValueError(f"{where}: a claim is 'text => verdict => evidence': {line!r}")
    text, spec = parts[0], parts[1]
    word, _, rest = spec.partition(" ")
    if word not in _VERDICTS:
        raise ValueError(f"{where}: unknown verdict {word!r}")
    conditions, alternative = [], ""
    rest = rest.strip()
    if rest.startswith("alt="):
        alternative = rest[4:].strip()
    elif rest:
        for cond in rest.split(" & "):
            kind, _, value = cond.partition("=")
            conditions.append({"kind": kind.strip(), "value": value.strip()})
    evidence = []
    if len(parts) == 3 and parts[2]:
        for item in parts[2].split(";;"):
            document, _, snippet = item.strip().partition(": ")
            evidence.append(
                {"document": document, "sentence": _resolve(folder, document, snippet.strip(), where)}
            )
    return {
        "text": text,
        "polarity": "denied" if key.strip() == "c-" else "asserted",
        "verdict": _VERDICTS[word],
        "conditions": conditions,
        "alternative": alternative,
        "evidence": evidence,
    }


def parse_source(
    path: Path, kb: str, prefix: str, evaldata: Path, skip: frozenset = frozenset()
) -> list[dict]:
    """The records of one authoring file, numbered in order; items whose id is in `skip` are numbered but
    not parsed (records already built: a PDF loader's later line joining must not break them)."""
    folder = kb_folder(kb, evaldata)
    rows: list[dict] = []
    number = 0
    for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in paragraph.splitlines() if ln.strip() and not ln.startswith("#")]
        if not lines:
            continue
        number += 1
        if f"{prefix}{number:03d}" in skip:
            continue
        where = f"{path.name}: {lines[0][:60]!r}"
        fields: dict = {"h": [], "claims": []}
        for line in lines:
            key = line.split(":", 1)[0].strip()
            if key in ("c", "c-"):
                fields["claims"].append(_claim(line, folder, where))
            elif key == "h":
                fields["h"].append(line.split(":", 1)[1].strip())
            elif key in ("q", "f", "doc"):
                fields[key] = line.split(":", 1)[1].strip()
            else:
                raise ValueError(f"{where}: unknown line {line!r}")
        if "q" not in fields or not fields["claims"]:
            raise ValueError(f"{where}: an item needs q: and at least one claim")
        document = fields.get("doc") or next(
            (e["document"] for c in fields["claims"] for e in c["evidence"]), ""
        )
        if not document:
            raise ValueError(f"{where}: no doc: and no evidence to take the primary document from")
        followup = {"yes": True, "no": False}.get(fields.get("f", ""))
        rows.append(
            {
                "id": f"{prefix}{number:03d}",
                "kb": kb,
                "question": fields["q"],
                "document": document,
                "claims": fields["claims"],
                "history": fields["h"],
                "followup": followup,
                "split": split_of(kb, document),
            }
        )
    return rows


def build(evaldata: Path, folder: Path = DATA_DIR) -> dict[str, int]:
    """Add every source record not yet in dev.jsonl / test.jsonl; existing lines are kept byte for byte."""
    existing: dict[str, str] = {}
    for split in SPLITS:
        for line in (folder / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                existing[json.loads(line)["id"]] = line
    lines = {split: [] for split in SPLITS}
    for line in existing.values():
        lines[json.loads(line)["split"]].append((json.loads(line)["id"], line))
    added = {split: 0 for split in SPLITS}
    for name, (kb, prefix) in SOURCES.items():
        path = folder / "source" / name
        if not path.exists():
            continue
        for row in parse_source(path, kb, prefix, evaldata, frozenset(existing)):
            lines[row["split"]].append((row["id"], json.dumps(row, ensure_ascii=False)))
            added[row["split"]] += 1
    for split, items in lines.items():
        text = "\n".join(line for _, line in sorted(items)) + "\n"
        target = folder / f"{split}.jsonl"
        if target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return added

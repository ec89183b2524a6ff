"""The fast dev loop for the verdict rules: record the claim checker's inputs once, re-judge them in seconds.

`record` asks every confirmation of one split through the assistant (as `run_confirmations` does) and keeps,
per record, what `ClaimChecker.check` received: the question, the retrieved hits, the follow-up context and
the vocabulary's answers (unseen and common terms). `rejudge` runs the current checker on those inputs and
scores them, so a rule change is measured without retrieval or ingest. Retrieval does not depend on the
verdict rules, so the figures equal a full run's until the splitter or the vocabulary calls change (then
record again).

    python -m evals.confirmation_replay record --kb knowledge/samples --out /tmp/sample-dev.pkl
    python -m evals.confirmation_replay rejudge --kb knowledge/samples --inputs /tmp/sample-dev.pkl
"""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path

import assistant.confirm as confirm
from evals.confirmations import kb_name, score_record, select, verdict_figures

DATASET = "evals/data/confirmations"


class _Recording:
    """A vocabulary that answers as the real one and remembers every answer."""

    def __init__(self, inner, log: dict) -> None:
        self.inner, self.log = inner, log

    def unseen_terms(self, question):
        self.log[("unseen", question)] = found = self.inner.unseen_terms(question)
        return found

    def common_terms(self, text, share):
        self.log[("common", text, share)] = found = self.inner.common_terms(text, share)
        return found


class _Replay:
    """The recorded vocabulary answers."""

    def __init__(self, log: dict) -> None:
        self.log = log

    def unseen_terms(self, question):
        return self.log.get(("unseen", question), set())

    def common_terms(self, text, share):
        return self.log.get(("common", text, share), set())


def record(kb_dir: str | Path, out: str | Path, split: str = "dev", dataset: str = DATASET) -> dict:
    """Ask the split's confirmations about `kb_dir` and pickle the checker's inputs per record id to `out`;
    returns the figures of that run."""
    from assistant.settings import Settings
    from assistant.wiring import build_assistant, build_knowledge, build_syncer

    calls: dict[str, list[dict]] = {}
    current = {"id": ""}
    check = confirm.ClaimChecker.check

    def recording_check(self, question, hits, *, context=""):
        log: dict = {}
        inner = self.vocabulary
        self.vocabulary = _Recording(inner, log) if inner is not None else None
        try:
            return check(self, question, hits, context=context)
        finally:
            self.vocabulary = inner
            entry = {"question": question, "hits": list(hits), "context": context, "vocab": log}
            calls.setdefault(current["id"], []).append(entry)

    rows = []
    confirm.ClaimChecker.check = recording_check
    try:
        with tempfile.TemporaryDirectory(prefix="lastmile-replay-", ignore_cleanup_errors=True) as home:
            settings = Settings().embedded_under(Path(home))
            kb = build_knowledge(settings)
            try:
                build_syncer(settings, kb).sync([kb_dir])
                assistant = build_assistant(settings, kb=kb)
                for item in select(dataset, kb_name(kb_dir), split):
                    current["id"] = item.id
                    answer = assistant.ask(item.question, history=item.history)
                    rows.extend(score_record(item, answer.claim_verdicts))
            finally:
                kb.close()
    finally:
        confirm.ClaimChecker.check = check
    Path(out).write_bytes(pickle.dumps(calls))
    return verdict_figures(rows)


def rejudge(kb_dir: str | Path, inputs: str | Path, split: str = "dev", dataset: str = DATASET) -> list[dict]:
    """The scored rows of the current checker on recorded inputs (the last check of each record counts)."""
    calls = pickle.loads(Path(inputs).read_bytes())
    rows = []
    for item in select(dataset, kb_name(kb_dir), split):
        verdicts = []
        for call in calls.get(item.id, []):
            checker = confirm.ClaimChecker(_Replay(call["vocab"]))
            verdicts = checker.check(call["question"], call["hits"], context=call["context"])
        rows.extend(score_record(item, verdicts))
    return rows


def _main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Record the claim checker's inputs once; re-judge them.")
    parser.add_argument("action", choices=("record", "rejudge"))
    parser.add_argument("--kb", default="knowledge/samples")
    parser.add_argument("--split", default="dev", choices=("dev", "test", "all"))
    parser.add_argument("--out", help="record: where to pickle the inputs")
    parser.add_argument("--inputs", help="rejudge: the pickled inputs")
    args = parser.parse_args()
    if args.action == "record":
        figures = record(args.kb, args.out, args.split)
    else:
        figures = verdict_figures(rejudge(args.kb, args.inputs, args.split))
    print(
        f"{args.split}: {figures['verdict_claims']} claims, correct {figures['verdict_correct']}, "
        f"wrong {figures['verdict_wrong']}, abstained {figures['verdict_abstained']}"
    )


if __name__ == "__main__":
    _main()

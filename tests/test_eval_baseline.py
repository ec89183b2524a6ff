"""The CI regression check: the sample-set eval must not fall more than 0.02 below the committed baseline
on any headline metric (the per-claim verdict figures on the confirmations' test split included: correct
must not fall, wrong must not rise) (evals/baseline/sample/summary.json; refresh it deliberately with
`make eval-baseline`).
"""

from __future__ import annotations

import pytest

from evals.compare import BASELINE, HEADLINE, TOLERANCE, compare, load_summary, table
from tests.conftest import REPO, SAMPLES

DATASET = REPO / "evals" / "data" / "sample_questions.jsonl"
CONFIRMATIONS = REPO / "evals" / "data" / "confirmations"  # its test split: the per-claim verdict figures


@pytest.mark.slow
def test_sample_eval_holds_the_baseline(tmp_path, monkeypatch):
    from assistant.settings import Settings
    from evals.run import run_eval

    baseline = load_summary(BASELINE)
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "LASTMILE_OPENAI_BASE_URL", "LASTMILE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)  # the baseline is the offline default configuration
    summary = run_eval(
        SAMPLES,
        DATASET,
        tmp_path / "sample",
        settings=Settings(_env_file=None),
        confirmations=CONFIRMATIONS,
        confirmations_split="test",
    )

    for key in ("composer", "threshold", "n"):
        assert summary[key] == baseline[key], f"baseline measured with {key}={baseline[key]!r}"
    results = compare(summary, baseline)
    report = table(results)
    print(f"\nsample set against {BASELINE.relative_to(REPO)} (tolerance {TOLERANCE}):\n{report}")
    assert [r.metric for r in results] == list(HEADLINE)
    dropped = [r.metric for r in results if not r.ok]
    assert not dropped, f"headline metrics dropped more than {TOLERANCE}: {dropped}\n{report}"

"""`lastmile confirmations build`: authoring files become dataset records without touching the ones built."""

from __future__ import annotations

import json
import shutil

import pytest

from evals.confirmation_build import build
from evals.confirmation_data import DATA_DIR, split_of
from evals.shared_data import EVALDATA

NEW_ITEM = (
    "\n\nq: We're on Growth. Can our Okta push users and groups to you automatically?\n"
    "c: SCIM provisioning is available on Growth => no alt=Enterprise only. => "
    "security-compliance.md: SCIM 2.0 user and group provisioning on Enterprise\n"
)


@pytest.fixture
def dataset(tmp_path):
    folder = tmp_path / "confirmations"
    shutil.copytree(DATA_DIR, folder)
    return folder


def _ids(folder, split):
    return [json.loads(line)["id"] for line in (folder / f"{split}.jsonl").read_text().splitlines()]


def test_a_rebuild_adds_nothing_and_rewrites_no_line(dataset):
    assert build(EVALDATA, dataset) == {"dev": 0, "test": 0}
    for split in ("dev", "test"):
        assert (dataset / f"{split}.jsonl").read_bytes() == (DATA_DIR / f"{split}.jsonl").read_bytes()


def test_a_new_item_lands_in_its_documents_split_with_the_verbatim_sentence(dataset):
    source = dataset / "source" / "sample-batch2.txt"
    before = {split: _ids(dataset, split) for split in ("dev", "test")}
    source.write_text(source.read_text(encoding="utf-8").rstrip("\n") + NEW_ITEM, encoding="utf-8")
    split = split_of("sample", "security-compliance.md")
    added = build(EVALDATA, dataset)
    assert added[split] == 1
    assert sum(added.values()) == 1
    new_ids = set(_ids(dataset, split)) - set(before[split])
    assert len(new_ids) == 1
    assert next(iter(new_ids)).startswith("dp2-")
    record = next(
        json.loads(line)
        for line in (dataset / f"{split}.jsonl").read_text().splitlines()
        if json.loads(line)["id"] in new_ids
    )
    [claim] = record["claims"]
    assert claim["verdict"] == "no"
    assert claim["alternative"] == "Enterprise only."
    assert claim["evidence"] == [
        {
            "document": "security-compliance.md",
            "sentence": "SCIM 2.0 user and group provisioning on Enterprise, with Okta and Microsoft Entra ID.",
        }
    ]
    assert _ids(dataset, "test" if split == "dev" else "dev") == before["test" if split == "dev" else "dev"]


def test_a_snippet_no_sentence_holds_is_an_error_and_nothing_is_written(dataset):
    source = dataset / "source" / "sample-batch2.txt"
    source.write_text(
        source.read_text(encoding="utf-8").rstrip("\n")
        + NEW_ITEM.replace("group provisioning", "group sync"),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"security-compliance\.md"):
        build(EVALDATA, dataset)
    for split in ("dev", "test"):
        assert (dataset / f"{split}.jsonl").read_bytes() == (DATA_DIR / f"{split}.jsonl").read_bytes()

"""`make run`'s command starts the product: the bundled samples are ingested and the app answers on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import urllib.request

from tests.browser.server import serve


def test_serve_ingests_samples_and_answers_on_loopback(tmp_path):
    home = tmp_path / "home"
    with serve(home, tmp_path / "serve.log") as url:  # `lastmile serve`, as `make run` starts it
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/", timeout=10) as response:
            assert '<div id="root">' in response.read().decode()
        with sqlite3.connect(home / "knowledge.sqlite3") as db:
            documents = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        assert documents >= 20, "the bundled samples were not ingested"

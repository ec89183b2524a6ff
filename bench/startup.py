"""Start-up costs: CLI commands that need no model, the first answer of `lastmile ask`, `lastmile serve`
reaching healthy, and the resident memory of the running app.

Each command runs as a fresh process, as a user would start it, several times; the best time is the least
disturbed (other work on the machine only ever adds time), the median is printed beside it. The same run
times `python -c pass` as the floor any command pays. Issue #16's budget: commands that need no model under
1 s; `make run` (`lastmile serve`) healthy in under 20 s on a warm venv.

    nice -n 5 .venv/bin/python -m bench.startup [--repeats 5] [--no-model]

`--no-model` times only the commands that need no model (no `ask`, no `serve`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "knowledge" / "samples"
QUESTION = "Do you support single sign-on with Okta?"


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "LASTMILE_HOME": str(home),
        "TOKENIZERS_PARALLELISM": "false",
    }


def timed_runs(command: list[str], env: dict[str, str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True, timeout=600)
        times.append(time.perf_counter() - started)
    return times


def rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (from /proc), in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def serve(home: Path, env: dict[str, str]) -> None:
    port, api_port = 8600 + os.getpid() % 200, 8900 + os.getpid() % 200
    command = [sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--api-port", str(api_port)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        urls = {
            "app": f"http://127.0.0.1:{port}/_stcore/health",
            "api": f"http://127.0.0.1:{api_port}/v1/health",
        }
        ready: dict[str, float] = {}
        while len(ready) < len(urls) and time.perf_counter() - started < 300:
            for name, url in urls.items():
                if name not in ready and healthy(url):
                    ready[name] = time.perf_counter() - started
            time.sleep(0.2)
        for name in urls:
            print(f"serve: {name:<3} healthy after {ready.get(name, float('nan')):5.1f} s")
        print(f"serve: resident memory when healthy {rss_mb(process.pid):6.0f} MB (app + API + supervisor)")
        request = urllib.request.Request(
            f"http://127.0.0.1:{api_port}/v1/conversations", data=b"{}", method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        try:
            urllib.request.urlopen(request, timeout=120).read()
        except OSError as error:
            print(f"serve: could not open a conversation ({error})")
        print(f"serve: resident memory after a first API call {rss_mb(process.pid):6.0f} MB")
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-model", action="store_true", help="skip `ask` and `serve` (see above)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-startup-") as scratch:
        home = Path(scratch) / "home"
        env = _env(home)
        cli = [sys.executable, "-m", "ui.cli"]
        subprocess.run(
            [*cli, "ingest", str(SAMPLES), "--json"], env=env, cwd=REPO, check=True, capture_output=True
        )
        # The SQL database is created (and migrated) by its first use, as in any installation.
        subprocess.run([*cli, "users", "list"], env=env, cwd=REPO, check=True, capture_output=True)
        commands = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "lastmile --help": [*cli, "--help"],
            "lastmile kb list": [*cli, "kb", "list"],
            "lastmile users list": [*cli, "users", "list"],
            "lastmile ingest (unchanged)": [*cli, "ingest", str(SAMPLES), "--json"],
        }
        if not args.no_model:
            commands["lastmile ask (first answer)"] = [*cli, "ask", QUESTION]
        for name, command in commands.items():
            times = timed_runs(command, env, args.repeats)
            print(f"{name:<30} best {min(times):6.2f} s  median {statistics.median(times):6.2f} s")
        if not args.no_model:
            serve(home, env)


if __name__ == "__main__":
    main()

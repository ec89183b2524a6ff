"""Bounded load on the buyer HTTP API, on loopback only, beside the same turns called in-process.

    .venv/bin/python -m bench.api_load [--conversations 50] [--duration 60] [--json out.json]

1. In-process: `--conversations` threads, each its own conversation, call `ChatService.ask` (the same
   service the API uses, on the bundled samples) for `--duration` seconds, cycling through the sample
   questions.
2. Over HTTP: `lastmile api` is started on 127.0.0.1 (a free port, the same home), and as many concurrent
   conversations create a conversation and send the same questions in the same order through
   `POST /v1/conversations/{id}/messages`, reading the server-sent events to the final `answer`, for the
   same duration.

A turn is timed from sending the question to having the whole answer (over HTTP: the final `answer`
event; the first `token` event is timed too). Errors are non-2xx replies, `error` events, streams without
an answer and transport failures. The API's rate limits are raised for the run (one client address sends
every conversation): limits are not what is measured. Each phase stops by itself: no new turn starts
after `--duration`, and a turn still running then has `TURN_TIMEOUT_S` to end. Only same-run ratios mean
anything: this machine's speed drifts up to 3x within a day.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "evals" / "data" / "sample_questions.jsonl"
LOOPBACK = "127.0.0.1"
TURN_TIMEOUT_S = 300.0  # a turn still running when the time is up gets this long to finish
START_TIMEOUT_S = 600.0  # `lastmile api` loads the model (and ingests nothing: the home is ready)
UNLIMITED = "1000000/minute"


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    first_token_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> dict:
        return {
            "turns": len(self.latencies_ms),
            "errors": len(self.errors),
            "error_examples": self.errors[:5],
            "p50_ms": percentile(self.latencies_ms, 0.5),
            "p95_ms": percentile(self.latencies_ms, 0.95),
            "mean_ms": round(statistics.mean(self.latencies_ms), 1) if self.latencies_ms else None,
            "first_token_p50_ms": percentile(self.first_token_ms, 0.5),
            "first_token_p95_ms": percentile(self.first_token_ms, 0.95),
            "turns_per_s": round(len(self.latencies_ms) / self.wall_s, 2) if self.wall_s else None,
        }


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def load_questions() -> list[str]:
    return [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]


# ------------------------------------------------------------------------------------------ in-process


def in_process(chat, questions: list[str], conversations: int, duration_s: float) -> Phase:
    phase = Phase("in-process ChatService.ask")
    lock = threading.Lock()
    deadline = time.monotonic() + duration_s

    def worker(index: int) -> None:
        conversation_id = chat.start()
        turn = 0
        while time.monotonic() < deadline:
            question = questions[(index + turn) % len(questions)]
            turn += 1
            start = time.perf_counter()
            try:
                chat.ask(conversation_id, question)
            except Exception as error:
                with lock:
                    phase.errors.append(f"{type(error).__name__}: {error}"[:200])
                continue
            with lock:
                phase.latencies_ms.append((time.perf_counter() - start) * 1000)

    began = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(conversations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration_s + TURN_TIMEOUT_S)
    phase.wall_s = time.monotonic() - began
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        phase.errors.append(f"{stuck} in-process workers still busy after the turn timeout")
    return phase


# ------------------------------------------------------------------------------------------ over HTTP


async def over_http(base_url: str, questions: list[str], conversations: int, duration_s: float) -> Phase:
    import httpx

    phase = Phase("HTTP API (SSE), loopback")
    deadline = time.monotonic() + duration_s
    limits = httpx.Limits(max_connections=conversations, max_keepalive_connections=conversations)
    timeout = httpx.Timeout(TURN_TIMEOUT_S, connect=30)

    async def conversation(client: httpx.AsyncClient, index: int) -> None:
        try:
            created = await client.post("/v1/conversations")
            created.raise_for_status()
        except httpx.HTTPError as error:
            phase.errors.append(f"create: {error!r}"[:200])
            return
        body = created.json()
        url = f"/v1/conversations/{body['conversation_id']}/messages"
        headers = {"Authorization": f"Bearer {body['token']}", "Accept": "text/event-stream"}
        turn = 0
        while time.monotonic() < deadline:
            question = questions[(index + turn) % len(questions)]
            turn += 1
            start = time.perf_counter()
            try:
                outcome = await one_turn(client, url, headers, question, start)
            except httpx.HTTPError as error:
                phase.errors.append(f"transport: {error!r}"[:200])
                continue
            if isinstance(outcome, str):
                phase.errors.append(outcome)
                continue
            first_token_ms, total_ms = outcome
            phase.latencies_ms.append(total_ms)
            if first_token_ms is not None:
                phase.first_token_ms.append(first_token_ms)

    began = time.monotonic()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:
        await asyncio.gather(*(conversation(client, i) for i in range(conversations)))
    phase.wall_s = time.monotonic() - began
    return phase


async def one_turn(client, url: str, headers: dict, question: str, start: float):
    """(first-token ms, whole-answer ms), or an error string."""
    first_token_ms = None
    event = None
    async with client.stream("POST", url, json={"text": question}, headers=headers) as response:
        if response.status_code != 200:
            return f"HTTP {response.status_code}: {(await response.aread())[:150]!r}"
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line.partition(":")[2].strip()
            elif line.startswith("data:") and event == "token" and first_token_ms is None:
                first_token_ms = (time.perf_counter() - start) * 1000
            elif line.startswith("data:") and event == "answer":
                return first_token_ms, (time.perf_counter() - start) * 1000
            elif line.startswith("data:") and event == "error":
                return f"error event: {line[5:150].strip()}"
    return "the stream ended without an answer"


async def warm_up(base_url: str, questions: list[str]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base_url, timeout=TURN_TIMEOUT_S) as client:
        body = (await client.post("/v1/conversations")).json()
        url = f"/v1/conversations/{body['conversation_id']}/messages"
        headers = {"Authorization": f"Bearer {body['token']}"}
        for question in questions:
            await one_turn(client, url, headers, question, time.perf_counter())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def start_api(home: Path, port: int, log_path: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        LASTMILE_API_RATE_LIMIT_IP=UNLIMITED,
        LASTMILE_API_RATE_LIMIT_CONVERSATION=UNLIMITED,
    )
    command = [sys.executable, "-m", "ui.cli", "api", "--home", str(home), "--host", LOOPBACK,
               "--port", str(port), "--no-samples"]  # fmt: skip
    log = open(log_path, "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"lastmile api exited with {process.returncode}:\n{log_path.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"http://{LOOPBACK}:{port}/v1/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"lastmile api did not start within {START_TIMEOUT_S:.0f}s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50, help="concurrent conversations (default 50)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per phase (default 60)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.conversations < 1 or args.duration <= 0:
        raise SystemExit("--conversations must be at least 1 and --duration positive")

    from assistant.settings import Settings
    from assistant.wiring import build_admin, build_services
    from knowledge.embedder import hub_offline

    hub_offline()
    questions = load_questions()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        settings = Settings(home=home)
        admin = build_admin(settings)
        admin.ingest([REPO / "knowledge" / "samples"])
        admin.close()
        services = build_services(settings)
        for question in questions[:3]:  # warm the model and the caches, as the API's first turns would
            services.assistant.ask(question)
        local = in_process(services.chat, questions, args.conversations, args.duration)
        services.admin.close()
        del services

        port = free_port()
        api = start_api(home, port, Path(folder) / "api.log")
        try:
            base_url = f"http://{LOOPBACK}:{port}"
            asyncio.run(warm_up(base_url, questions[:3]))  # the server's first turns, as in-process above
            remote = asyncio.run(over_http(base_url, questions, args.conversations, args.duration))
        finally:
            stop(api)

    report = {
        "conversations": args.conversations,
        "duration_s": args.duration,
        "cpu_count": os.cpu_count(),
        "questions": len(questions),
        "in_process": local.summary(),
        "http": remote.summary(),
    }
    if local.latencies_ms and remote.latencies_ms:
        report["ratio_http_over_in_process"] = {
            "p50": round(report["http"]["p50_ms"] / report["in_process"]["p50_ms"], 2),
            "p95": round(report["http"]["p95_ms"] / report["in_process"]["p95_ms"], 2),
            "turns_per_s": round(report["http"]["turns_per_s"] / report["in_process"]["turns_per_s"], 2),
        }
    print(
        f"{args.conversations} concurrent conversations, {args.duration:g} s per phase, "
        f"{os.cpu_count()} CPUs, loopback"
    )
    for name, figures in (("in-process", report["in_process"]), ("HTTP (SSE)", report["http"])):
        first = (
            f"  first token p50 {figures['first_token_p50_ms']} ms" if figures["first_token_p50_ms"] else ""
        )
        print(
            f"{name:<11} turns {figures['turns']:>5}  errors {figures['errors']:>3}  p50 {figures['p50_ms']} ms  "
            f"p95 {figures['p95_ms']} ms  {figures['turns_per_s']} turns/s{first}"
        )
    if "ratio_http_over_in_process" in report:
        ratio = report["ratio_http_over_in_process"]
        print(
            f"ratio HTTP / in-process: p50 {ratio['p50']}x  p95 {ratio['p95']}x  throughput {ratio['turns_per_s']}x"
        )
    for phase in (local, remote):
        for error in phase.errors[:5]:
            print(f"  {phase.name} error: {error}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

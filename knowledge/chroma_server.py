"""A local Chroma server process (`chroma run`, shipped with chromadb) on a free port over a folder.

For the shared-store tests and benchmarks, and for trying the shared layout on one machine
(docs/deploy.md); production runs its Chroma server as a service of its own.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

CHROMA_START_S = 60.0  # a cold start on a busy 2-core machine takes a few seconds; a minute means broken


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ChromaServer:
    """`chroma run` on a free port over `path`, answering its heartbeat once built; `stop()` ends it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
        if chroma is None:
            raise RuntimeError("the `chroma` command of the chromadb package is not installed")
        self.log = path.parent / f"chroma-{self.port}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait()

    def _wait(self) -> None:
        import httpx

        deadline = time.monotonic() + CHROMA_START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Chroma server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the Chroma server did not answer within {CHROMA_START_S:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

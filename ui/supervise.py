"""Running the product's processes side by side (`lastmile serve`: the Streamlit staff app and the buyer
API): each starts in this process group; when one ends, or this process is told to stop, all are stopped."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Mapping, Sequence

POLL_S = 0.5
STOP_WAIT_S = 20  # each process gets this long to stop after SIGTERM before it is killed


def run_together(commands: Mapping[str, Sequence[str]], env: Mapping[str, str]) -> int:
    """Start every command; return the exit code of the first one to end (after stopping the others)."""
    previous = signal.signal(signal.SIGTERM, _stop)
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            processes[name] = subprocess.Popen(list(command), env=dict(env))
        while True:
            for process in processes.values():
                code = process.poll()
                if code is not None:
                    return code
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        return 130
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        signal.signal(signal.SIGTERM, previous)


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # unwinds run_together, which stops the children

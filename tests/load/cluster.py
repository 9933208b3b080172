"""Webhook workers as real processes (`legalbot run --webhook`), for the kill test and the load script."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.processes import free_port, stop

__all__ = ["SECRET", "free_port", "start_worker", "stop", "wait_ready"]

REPO = Path(__file__).resolve().parents[2]
SECRET = "load-test-secret"


def start_worker(env: dict[str, str], public_url: str, port: int, log: Path,
                 module: str = "bot") -> subprocess.Popen[bytes]:
    """One worker process listening on 127.0.0.1:port, its output in `log` (`module`: what `python -m` runs)."""
    full = {**os.environ, "LEGALBOT_WEBHOOK_SECRET": SECRET, "LEGALBOT_LOG_LEVEL": "WARNING", **env}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, "run", "--webhook", public_url, "--listen", "127.0.0.1",
             "--port", str(port)],
            cwd=REPO, env=full, stdout=out, stderr=subprocess.STDOUT,
        )


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    """Wait for /readyz to answer 200 (the worker loaded its index and reached the database and Redis)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"worker on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"worker on port {port} not ready")


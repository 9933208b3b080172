"""Run llama.cpp's OpenAI-compatible server (`python -m llama_cpp.server`) as a child process, for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.core.llm.bench import endpoint_up
from bot.errors import LegalbotError
from tests.processes import free_port, stop


@dataclass(frozen=True)
class RunningServer:
    """A started server: its /v1 URL, its log, and how long it took to answer /v1/models."""

    base_url: str
    log_path: Path
    started_s: float

    def completions(self) -> int:
        """Chat completion requests served so far, counted from the access log."""
        return self.log_path.read_text(errors="replace").count('"POST /v1/chat/completions HTTP')


@contextmanager
def llama_server(model: Path, log_path: Path, *, chat_format: str | None = "gemma", n_ctx: int = 4096,
                 threads: int = 2, startup_timeout_s: float = 120.0) -> Iterator[RunningServer]:
    """Start the server on 127.0.0.1 and a free port, wait until /v1/models answers, and stop it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(threads),
               "--n_threads_batch", str(threads)]
    if chat_format:
        command += ["--chat_format", chat_format]
    # OpenMP threads that spin while waiting make a busy 2-core machine several times slower.
    env = {**os.environ, "OMP_WAIT_POLICY": "passive", "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        _wait_ready(process, base_url, log_path, startup_timeout_s)
        yield RunningServer(base_url, log_path, time.perf_counter() - started)
    finally:
        stop(process, timeout=10)


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout_s: float) -> None:
    """Poll /v1/models until it answers; fail with the log's tail if the process dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise LegalbotError(f"llama.cpp server exited with {process.returncode}:\n{tail}")
        if endpoint_up(base_url):
            return
        time.sleep(0.2)
    raise LegalbotError(f"llama.cpp server did not answer {base_url}/models within {timeout_s:.0f} s")

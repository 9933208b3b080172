"""The real Chroma server that the chromadb package ships (`chroma run`), on a free port, for tests."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import free_port, stop


@contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[str]:
    """Run `chroma run --path PATH` on 127.0.0.1 until the block ends; yields its URL."""
    port = free_port()
    binary = Path(sys.executable).with_name("chroma")
    with log.open("ab") as out:
        command = [str(binary), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(command,
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not start (see {log})") from None
                time.sleep(0.2)
        yield url
    finally:
        stop(process, timeout=15)

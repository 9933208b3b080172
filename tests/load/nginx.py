"""nginx from Debian's package, round-robin to the workers, as in production (docker-compose's nginx service)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.load.cluster import free_port

_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  upstream bot {{ {servers} }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://bot;
      proxy_connect_timeout 1s;
      # A dead worker's connection is refused: try the next one. POST may be repeated: the inbox keeps one copy.
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    }}
  }}
}}
"""


@contextmanager
def nginx(ports: list[int], folder: Path) -> Iterator[str]:
    """Run nginx in front of the worker ports until the block ends; yields its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    servers = " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)
    conf = folder / "nginx.conf"
    conf.write_text(_CONF.format(dir=folder, servers=servers, port=port))
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(folder), "-g", "daemon off;"])
    try:
        # Ready when it accepts a connection. Not by an HTTP request: before the workers listen, that request would
        # fail on both upstreams and nginx would then refuse every update for fail_timeout (the first 5 s of a run).
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)

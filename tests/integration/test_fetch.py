"""`ingest --fetch` against a local HTTP server that answers like EUR-Lex, serving the corpus files."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from bot.core.types import base_id
from bot.settings import Settings
from ingest.pipeline import collect
from tests.conftest import make_settings
from tests.unit._corpus import corpus_dir


def _corpus_file(celex: str, lang: str) -> Path | None:
    """The corpus copy EUR-Lex would return for a CELEX number and language, if the corpus has one."""
    corpus = corpus_dir()
    candidates = [
        corpus / "gdpr" / "eurlex_html" / f"CELEX_{celex}_{lang}_TXT.html",
        corpus / "cjeu" / "html" / f"{celex}_{lang}.html",
    ]
    return next((path for path in candidates if path.exists()), None)


class _EurLex(BaseHTTPRequestHandler):
    """GET /legal-content/{LANG}/TXT/HTML/?uri=CELEX:{celex}"""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        """Serve the matching corpus file or 404."""
        url = urlparse(self.path)
        lang = url.path.split("/")[2] if url.path.startswith("/legal-content/") else ""
        celex = parse_qs(url.query).get("uri", [""])[0].removeprefix("CELEX:")
        path = _corpus_file(celex, lang)
        self.hits.append(self.path)
        if path is None:
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def eurlex() -> Iterator[str]:
    """A fake EUR-Lex on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EurLex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_downloads_parses_and_caches(eurlex: str, tmp_path: Path) -> None:
    """Without a corpus, fetched GDPR and judgments are parsed; missing languages are reported; reruns use the cache."""
    settings: Settings = make_settings(tmp_path / "data", corpus_dir=None, eurlex_url=eurlex)
    documents, warnings = collect(settings, fetch=True)
    by_id = {doc.doc_id: doc for doc in documents}
    articles = {base_id(p.source_id) for p in by_id["gdpr@en"].passages if "/art-" in p.source_id}
    assert len(articles) == 99
    assert "cjeu/C-252-21@en" in by_id
    assert any("32016R0679 (fr)" in warning for warning in warnings)
    cached = sorted(path.name for path in (tmp_path / "data" / "cache" / "eurlex").iterdir())
    assert "32016R0679_EN.html" in cached and "62021CJ0252_EN.html" in cached
    _EurLex.hits.clear()
    again, _ = collect(settings, fetch=True)
    assert {d.doc_id for d in again} >= {"gdpr@en", "cjeu/C-252-21@en"}
    assert not any("32016R0679" in hit and "/EN/" in hit for hit in _EurLex.hits)

"""`ingest --fetch`: download official texts from EUR-Lex by CELEX number into a local cache."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx

from bot.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT_S = 30.0


def eurlex_url(base: str, celex: str, lang: str) -> str:
    """EUR-Lex's HTML rendering of a document in one language."""
    return f"{base.rstrip('/')}/legal-content/{lang.upper()}/TXT/HTML/?uri=CELEX:{celex}"


def _languages(source: dict[str, Any]) -> tuple[str, ...]:
    """The GDPR is parsed in all three languages; our judgment parser reads the English text."""
    return ("en", "fr", "de") if source["id"] == "gdpr" else ("en",)


def fetch_official(settings: Settings, sources: list[dict[str, Any]]) -> tuple[dict[tuple[str, str], Path], list[str]]:
    """Fetch (or reuse from the cache) each parsable source; returns files by (id, lang) and problems."""
    cache = settings.data_dir / "cache" / "eurlex"
    cache.mkdir(parents=True, exist_ok=True)
    files: dict[tuple[str, str], Path] = {}
    problems: list[str] = []
    with httpx.Client(timeout=TIMEOUT_S, follow_redirects=True) as client:
        for source in sources:
            celex = source.get("celex")
            if not celex or not (source["id"] == "gdpr" or str(source["id"]).startswith("cjeu/")):
                continue
            for lang in _languages(source):
                target = cache / f"{celex}_{lang.upper()}.html"
                if not target.exists():
                    try:
                        response = client.get(eurlex_url(settings.eurlex_url, celex, lang))
                        response.raise_for_status()
                    except httpx.HTTPError as exc:
                        problems.append(f"could not fetch {celex} ({lang}): {type(exc).__name__}")
                        continue
                    target.write_bytes(response.content)
                files[(str(source["id"]), lang)] = target
    return files, problems

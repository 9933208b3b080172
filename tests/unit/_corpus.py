"""Where the shared legal corpus is: LEGALBOT_CORPUS_DIR, or ../shared/corpus beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def corpus_dir() -> Path:
    """Return the corpus folder, or fail loudly: tests that need it must never be skipped silently."""
    configured = os.environ.get("LEGALBOT_CORPUS_DIR")
    path = Path(configured).expanduser() if configured else DEFAULT
    if not (path / "PROVENANCE.md").is_file():
        source = "LEGALBOT_CORPUS_DIR" if configured else "the default location"
        raise FileNotFoundError(
            f"Legal corpus not found at {path} ({source}). These tests read the official texts from it: "
            "set LEGALBOT_CORPUS_DIR to the folder holding PROVENANCE.md, gdpr/, cjeu/ and news/."
        )
    return path

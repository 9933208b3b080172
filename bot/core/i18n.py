"""Conversation texts per language, loaded from knowledge/texts/<lang>.yaml so the NGO can edit them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from bot.core.types import LANGS
from bot.errors import LegalbotError
from bot.settings import REPO_ROOT

TEXTS_DIR = REPO_ROOT / "knowledge" / "texts"


@lru_cache(maxsize=8)
def _load(lang: str, folder: Path = TEXTS_DIR) -> dict[str, Any]:
    """One language's texts: <lang>.yaml plus every <part>.<lang>.yaml (one part per flow or team)."""
    merged: dict[str, Any] = {}
    for path in [folder / f"{lang}.yaml", *sorted(folder.glob(f"*.{lang}.yaml"))]:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise LegalbotError(f"Cannot read the texts file {path}: {exc}") from exc
        clash = merged.keys() & data.keys()
        if clash:
            raise LegalbotError(f"{path} repeats the top-level keys {sorted(clash)} of another texts file.")
        merged.update(data)
    return merged


def normalise_lang(lang: str | None) -> str:
    """Map 'fr-FR', 'DE' or None to one of the bot's languages (English by default)."""
    short = (lang or "en").split("-")[0].lower()
    return short if short in LANGS else "en"


def raw(lang: str, key: str) -> Any:
    """A text or a structure (list, mapping) by dotted key, English where a translation is missing."""
    for candidate in (normalise_lang(lang), "en"):
        node: Any = _load(candidate)
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            return node
    raise LegalbotError(f"No text {key!r} in knowledge/texts/{lang}.yaml or en.yaml.")


def t(lang: str, key: str, **values: Any) -> str:
    """A formatted text; a placeholder without a value fails loudly rather than showing '{name}'."""
    template = str(raw(lang, key))
    missing = {name for _, name, _, _ in Formatter().parse(template) if name} - values.keys()
    if missing:
        raise LegalbotError(f"Text {key!r} needs values for {sorted(missing)}.")
    return template.format(**values)

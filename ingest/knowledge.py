"""The NGO's own Markdown texts (knowledge/<section>/<slug>.<lang>.md) turned into documents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.core.i18n import t
from bot.core.types import LANGS, Document, Passage
from bot.errors import LegalbotError

SECTIONS = {"guides": "guide", "faq": "faq", "cases": "summary", "rad": "rad", "news": "news"}
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)
_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*(?:\{#(?P<anchor>[\w-]+)\})?\s*$", re.MULTILINE)


def read_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """Split a Markdown file into its YAML front matter and body."""
    match = _FRONT.match(path.read_text(encoding="utf-8"))
    if not match:
        raise LegalbotError(f"{path}: missing '---' front matter (see docs/KNOWLEDGE.md).")
    meta = yaml.safe_load(match.group(1)) or {}
    for key in ("id", "lang", "title"):
        if not meta.get(key):
            raise LegalbotError(f"{path}: front matter needs '{key}'.")
    if meta["lang"] not in LANGS:
        raise LegalbotError(f"{path}: lang must be one of {', '.join(LANGS)}.")
    return meta, match.group(2).strip()


def _label(kind: str, meta: dict[str, Any], section_title: str = "") -> str:
    """Human label in the text's language: 'Guide: How to object › The form'."""
    lang, title = meta["lang"], str(meta["title"])
    if kind == "summary":
        return f"{title} ({t(lang, 'labels.case_summary')})"
    if kind == "rad":
        return title.split(" — ")[0]
    label = f"{t(lang, f'labels.{kind}')}: {title}"
    return f"{label} › {section_title}" if section_title else label


def _split_sections(body: str) -> list[tuple[str, str, str]]:
    """(anchor, heading, text) for each '## ' section; text before the first heading is '#intro'."""
    parts: list[tuple[str, str, str]] = []
    matches = list(_HEADING.finditer(body))
    intro = body[: matches[0].start()].strip() if matches else body
    if intro:
        parts.append(("intro", "", intro))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        anchor = match.group("anchor") or f"s{i + 1}"
        parts.append((anchor, match.group("title").strip(), body[match.end() : end].strip()))
    return parts


def parse_knowledge_file(path: Path, kind: str, site_url: str) -> Document:
    """One knowledge file as a document: guides per section, everything else as one passage."""
    meta, body = read_front_matter(path)
    lang, cid = meta["lang"], str(meta["id"])
    slug = path.name.split(".")[0]
    # Without a public site our texts have no page to link to: the label is shown alone rather than a dead link.
    url = meta.get("url") or (f"{site_url.rstrip('/')}/{lang}/{path.parent.name}/{slug}" if site_url else "")
    common = {"url": url, "lang": lang, "title": str(meta["title"]), "kind": kind, "date": str(meta.get("updated", "")),
              "refs": tuple(str(r) for r in meta.get("refs") or ())}
    keywords = "\n".join(str(q) for q in meta.get("questions") or [])
    doc_id = f"{cid}@{lang}"
    if kind == "guide":
        passages = tuple(
            Passage(
                source_id=f"{cid}#{anchor}",
                label=_label(kind, meta, heading),
                text=text,
                url=f"{url}#{anchor}" if url else "",
                **{k: v for k, v in common.items() if k != "url"},
            )
            for anchor, heading, text in _split_sections(body)
        )
    else:
        # Summaries share their id with the official text they summarise, told apart by the fragment.
        fragment = "#summary" if kind in ("summary", "news") else ""
        doc_id = f"{cid}{fragment}@{lang}"
        passages = (
            Passage(source_id=cid + fragment, label=_label(kind, meta), text=body, keywords=keywords, **common),
        )
    return Document(doc_id=doc_id, passages=passages, origin=str(path))


def load_knowledge(folder: Path, site_url: str) -> list[Document]:
    """Every knowledge text, in a stable order."""
    documents = []
    for section, kind in SECTIONS.items():
        for path in sorted((folder / section).glob("*.md")):
            documents.append(parse_knowledge_file(path, kind, site_url))
    return documents
